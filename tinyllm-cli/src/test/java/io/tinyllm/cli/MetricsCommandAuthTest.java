package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.metrics.testing.SelfSignedCertificate;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command's /metrics with basic auth (password from a file or the environment, never argv) and
 * TLS; a warning when it is open to the network without a password; the password printed nowhere.
 */
class MetricsCommandAuthTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final String PASSWORD = "s3cret-" + System.nanoTime();
  private static final Pattern SERVING = Pattern.compile("Serving metrics at (\\S+)");

  private static OllamaSimulator sim;

  @TempDir Path dir;

  @BeforeAll
  static void startSimulator() throws Exception {
    sim = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build());
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  private static HttpResponse<String> scrape(HttpClient client, URI uri, String credentials)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (credentials != null) {
      request.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Scrapes asked of a batch serving /metrics until it is stopped, as Ctrl-C would. */
  private record Served(Cli.Result result, List<HttpResponse<String>> scrapes, URI uri) {}

  private Served serveDuringBatch(
      HttpClient client, Map<String, String> env, List<String> credentials, String... options)
      throws Exception {
    Path prompts = dir.resolve("p.txt");
    Files.writeString(prompts, "hi\n");
    StopSignal signal = StopSignal.install();
    Cli cli = new Cli();
    BatchCommand batch = cli.command("batch");
    batch.stopSignals = () -> signal;
    batch.metrics.security.environment = env::get;
    List<String> args =
        new ArrayList<>(
            List.of(
                "batch",
                prompts.toString(),
                "--ollama",
                sim.baseUri().toString(),
                "--model",
                MODEL,
                "--metrics-port",
                "0",
                "--metrics-linger",
                "5m"));
    args.addAll(List.of(options));
    Cli.Running running = cli.start(args.toArray(String[]::new));
    List<HttpResponse<String>> scrapes = new ArrayList<>();
    URI uri;
    try {
      String err = cli.awaitErr(e -> SERVING.matcher(e).find(), Duration.ofSeconds(30));
      Matcher m = SERVING.matcher(err);
      assertThat(m.find()).isTrue();
      uri = URI.create(m.group(1));
      // the batch prints its summary when done, before it lingers: its families are served then
      cli.awaitErr(e -> e.contains("batch: "), Duration.ofSeconds(30));
      String authorized = credentials.get(credentials.size() - 1);
      assertThat(scrape(client, uri, authorized).body())
          .as("the batch's families on " + uri)
          .contains("tinyllm_batch_prompts_total");
      for (String credential : credentials) {
        scrapes.add(scrape(client, uri, credential));
      }
    } finally {
      signal.requestStop();
    }
    return new Served(running.result(Duration.ofSeconds(30)), scrapes, uri);
  }

  @Test
  void aPasswordFromAFileGuardsTheEndpoint() throws Exception {
    Path file = dir.resolve("password");
    Files.writeString(file, PASSWORD + "\n");
    List<String> credentials = new ArrayList<>();
    credentials.add(null);
    credentials.add("prom:wrong");
    credentials.add("prom:" + PASSWORD);

    Served served =
        serveDuringBatch(
            HttpClient.newHttpClient(),
            Map.of(),
            credentials,
            "--metrics-user",
            "prom",
            "--metrics-password-file",
            file.toString());

    assertThat(served.scrapes().get(0).statusCode()).isEqualTo(401);
    assertThat(served.scrapes().get(1).statusCode()).isEqualTo(401);
    assertThat(served.scrapes().get(1).body()).doesNotContain("tinyllm_", PASSWORD);
    assertThat(served.scrapes().get(2).statusCode()).isEqualTo(200);
    assertThat(served.scrapes().get(2).body()).contains("tinyllm_batch_prompts_total");
    assertThat(served.result().exitCode()).isZero();
    assertThat(served.result().err() + served.result().out()).doesNotContain(PASSWORD);
  }

  @Test
  void aPasswordFromTheEnvironmentAndTlsServeHttpsToTheUserOnly() throws Exception {
    SelfSignedCertificate tls = SelfSignedCertificate.create(dir);
    List<String> credentials = new ArrayList<>();
    credentials.add(null);
    credentials.add("prom:" + PASSWORD);

    Served served =
        serveDuringBatch(
            tls.trustingClient(),
            Map.of(MetricsSecurityOptions.PASSWORD_ENV, PASSWORD),
            credentials,
            "--metrics-user",
            "prom",
            "--metrics-tls-cert",
            tls.cert().toString(),
            "--metrics-tls-key",
            tls.key().toString(),
            "--debug");

    assertThat(served.uri().getScheme()).isEqualTo("https");
    assertThat(served.scrapes().get(0).statusCode()).isEqualTo(401);
    assertThat(served.scrapes().get(1).statusCode()).isEqualTo(200);
    assertThat(served.result().exitCode()).isZero();
    assertThat(served.result().err() + served.result().out()).doesNotContain(PASSWORD);
  }

  @Test
  void servingTheNetworkWithoutAPasswordIsOneWarningLine() {
    Cli.Result open = Cli.run("metrics", "--port", "0", "--addr", "0.0.0.0", "--duration", "0s");
    Cli.Result loopback = Cli.run("metrics", "--port", "0", "--duration", "0s");

    assertThat(open.exitCode()).isZero();
    assertThat(open.err())
        .isEqualTo(
            "tinyllm: warning: /metrics on 0.0.0.0 is open to the network without"
                + " authentication; protect it with --metrics-user and --metrics-password-file"
                + " (and --metrics-tls-cert/--metrics-tls-key)\n");
    assertThat(loopback.exitCode()).isZero();
    assertThat(loopback.err()).isEmpty();
  }

  @Test
  void aProtectedNetworkEndpointIsNotWarnedAbout() throws Exception {
    Path file = dir.resolve("password");
    Files.writeString(file, PASSWORD);

    Cli.Result result =
        Cli.run(
            "metrics",
            "--port",
            "0",
            "--addr",
            "0.0.0.0",
            "--duration",
            "0s",
            "--metrics-user",
            "prom",
            "--metrics-password-file",
            file.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
  }

  @Test
  void aMissingOrMalformedPasswordIsAUsageErrorThatDoesNotShowTheFile() throws Exception {
    Path twoLines = dir.resolve("two-lines");
    Files.writeString(twoLines, PASSWORD + "\nmore\n");
    Path big = dir.resolve("big");
    Files.writeString(big, PASSWORD.repeat(1000));

    Cli.Result noPassword = Cli.run("metrics", "--port", "0", "--metrics-user", "prom");
    Cli.Result missing =
        Cli.run(
            "metrics",
            "--port",
            "0",
            "--metrics-user",
            "prom",
            "--metrics-password-file",
            dir.resolve("nope").toString());
    Cli.Result malformed =
        Cli.run(
            "metrics",
            "--port",
            "0",
            "--metrics-user",
            "prom",
            "--metrics-password-file",
            twoLines.toString(),
            "--debug");
    Cli.Result tooBig =
        Cli.run(
            "run",
            "hi",
            "--metrics-port",
            "0",
            "--metrics-user",
            "prom",
            "--metrics-password-file",
            big.toString());
    Cli.Result keyWithoutCert =
        Cli.run("metrics", "--port", "0", "--metrics-tls-key", twoLines.toString());
    Cli.Result withoutEndpoint = Cli.run("run", "hi", "--metrics-user", "prom");

    assertThat(noPassword.exitCode()).isEqualTo(2);
    assertThat(noPassword.err())
        .isEqualTo(
            "tinyllm: --metrics-user needs a password: --metrics-password-file FILE or"
                + " $TINYLLM_METRICS_PASSWORD\n");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo("tinyllm: --metrics-password-file " + dir.resolve("nope") + ": no such file\n");
    assertThat(malformed.exitCode()).isEqualTo(2);
    assertThat(malformed.err())
        .isEqualTo(
            "tinyllm: --metrics-password-file "
                + twoLines
                + ": expected the password on one line\n");
    assertThat(tooBig.exitCode()).isEqualTo(2);
    assertThat(tooBig.err()).contains("larger than 4096 bytes").doesNotContain(PASSWORD);
    assertThat(keyWithoutCert.exitCode()).isEqualTo(2);
    assertThat(keyWithoutCert.err())
        .isEqualTo("tinyllm: --metrics-tls-cert and --metrics-tls-key go together\n");
    assertThat(withoutEndpoint.exitCode()).isEqualTo(2);
    assertThat(withoutEndpoint.err())
        .isEqualTo("tinyllm: --metrics-user and --metrics-tls-* need --metrics-port\n");
  }
}
