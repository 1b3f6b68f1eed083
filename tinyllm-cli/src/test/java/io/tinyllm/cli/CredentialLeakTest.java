package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Credentials in an address are refused with a clear line, and the password is never printed: not
 * in the error, not with --debug, whatever else is wrong with the address.
 */
class CredentialLeakTest {
  private static final String PASSWORD = "s3cret-Pa55";

  @TempDir Path dir;

  private static void assertRefusedWithoutPassword(Cli.Result result, String option) {
    assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("tinyllm: Invalid value for option '" + option + "': ")
        .contains("***@")
        .doesNotContain(PASSWORD);
    assertThat(result.out()).doesNotContain(PASSWORD);
  }

  private static String[] with(boolean debug, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (debug) {
      all.add("--debug");
    }
    return all.toArray(String[]::new);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void ollamaCredentialsAreRefusedOnEveryCommandWithoutPrintingThePassword(boolean debug)
      throws Exception {
    Path prompts = dir.resolve("p.txt");
    Files.writeString(prompts, "hi\n");
    // reachable-looking, unreachable, and not a host at all
    for (String address :
        List.of(
            "http://bob:" + PASSWORD + "@127.0.0.1:1",
            "bob:" + PASSWORD + "@127.0.0.1",
            "https://bob:" + PASSWORD + "@not a host:11434/x")) {
      assertRefusedWithoutPassword(
          Cli.run(with(debug, "run", "--ollama", address, "--model", "m", "hi")), "--ollama");
      assertRefusedWithoutPassword(Cli.run(with(debug, "health", "--ollama", address)), "--ollama");
      assertRefusedWithoutPassword(
          Cli.run(with(debug, "models", "list", "--ollama", address)), "--ollama");
      assertRefusedWithoutPassword(
          Cli.run(with(debug, "batch", prompts.toString(), "--ollama", address)), "--ollama");
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void pushGatewayCredentialsAreRefusedWithoutPrintingThePassword(boolean debug) throws Exception {
    Path prompts = dir.resolve("p.txt");
    Files.writeString(prompts, "hi\n");
    for (String address :
        List.of(
            "http://user:" + PASSWORD + "@127.0.0.1:1",
            "user:" + PASSWORD + "@gw:99999",
            "https://user:" + PASSWORD + "@not a host/")) {
      assertRefusedWithoutPassword(
          Cli.run(
              with(
                  debug,
                  "batch",
                  prompts.toString(),
                  "--ollama",
                  Cli.NOWHERE,
                  "--push-gateway",
                  address)),
          "--push-gateway");
      assertRefusedWithoutPassword(
          Cli.run(with(debug, "run", "--ollama", Cli.NOWHERE, "--push-gateway", address, "hi")),
          "--push-gateway");
    }
  }

  @Test
  void theRefusalSaysWhatToDoInstead() {
    Cli.Result ollama = Cli.run("health", "--ollama", "http://bob:" + PASSWORD + "@box:11434");
    Cli.Result gateway =
        Cli.run("run", "--push-gateway", "http://u:" + PASSWORD + "@gw:9091", "hi");

    assertThat(ollama.err())
        .startsWith(
            "tinyllm: Invalid value for option '--ollama': Credentials in Ollama address"
                + " 'http://***@box:11434' are not supported\n");
    assertThat(gateway.err())
        .startsWith(
            "tinyllm: Invalid value for option '--push-gateway': 'http://***@gw:9091':"
                + " credentials in the address are not accepted; use --push-user with"
                + " --push-password-file or $TINYLLM_PUSH_PASSWORD\n");
  }

  @Test
  void pushUserAndPasswordFileArePushedAsBasicAuth() throws Exception {
    Path file = dir.resolve("push-password");
    Files.writeString(file, PASSWORD + "\n");
    Path prompts = dir.resolve("p.txt");
    Files.writeString(prompts, "hi\n");
    List<String> authorizations = new CopyOnWriteArrayList<>();
    HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    gateway.createContext(
        "/",
        exchange -> {
          authorizations.add(
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    gateway.start();
    try (OllamaSimulator sim =
        OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build())) {
      Cli.Result result =
          Cli.run(
              "batch",
              prompts.toString(),
              "--ollama",
              sim.baseUri().toString(),
              "--model",
              "qwen2.5:0.5b",
              "--push-gateway",
              "127.0.0.1:" + gateway.getAddress().getPort(),
              "--push-user",
              "pusher",
              "--push-password-file",
              file.toString(),
              "--debug");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(authorizations)
          .containsExactly(
              "Basic "
                  + Base64.getEncoder()
                      .encodeToString(("pusher:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
      assertThat(result.err() + result.out()).doesNotContain(PASSWORD);
    } finally {
      gateway.stop(0);
    }
  }

  @Test
  void aPushUserWithoutAPasswordIsAUsageError() {
    Cli.Result result =
        Cli.run("run", "--push-gateway", Cli.NOWHERE, "--push-user", "pusher", "hi");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: --push-user needs a password: --push-password-file FILE or"
                + " $TINYLLM_PUSH_PASSWORD\n");
  }
}
