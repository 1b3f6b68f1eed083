package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
                + " credentials in the address are not accepted; give basic auth separately\n");
  }
}
