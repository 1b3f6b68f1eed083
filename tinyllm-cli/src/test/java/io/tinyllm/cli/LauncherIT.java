package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.metrics.SystemInfoMetrics;
import io.tinyllm.metrics.testing.PushgatewayProcess;
import io.tinyllm.metrics.testing.SeedFamilies;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built distribution, run as a user would run it. */
class LauncherIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void versionPrintsTheVersionAndJava() {
    Launcher.Result result = Launcher.run(TIMEOUT, "--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .startsWith("tinyllm " + SystemInfoMetrics.version() + "\n")
        .contains("Java 17");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void helpListsTheCommands() {
    Launcher.Result result = Launcher.run(TIMEOUT, "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("Usage: tinyllm").contains("metrics").contains("version");
  }

  @Test
  void everySubcommandHasHelp() {
    for (String[] command :
        new String[][] {
          {"run", "--help"},
          {"models", "list", "--help"},
          {"graph", "export", "--help"},
          {"demo", "-h"}
        }) {
      Launcher.Result result = Launcher.run(TIMEOUT, command);

      String name = String.join(" ", java.util.Arrays.copyOf(command, command.length - 1));
      assertThat(result.exitCode()).as(name + ": " + result.err()).isZero();
      assertThat(result.out()).startsWith("Usage: tinyllm " + name);
    }
  }

  /**
   * A command that makes a call or two, and chat, start only what they use: no injector, no
   * plug-ins, no logging backend (each costs hundreds of classes, about a second in all). Observed
   * in the classes the JVM loaded, not in a time.
   */
  @Test
  void ollamaCommandsBuildNoInjectorAndNoLogging() throws Exception {
    try (OllamaSimulator sim =
        OllamaSimulator.start(SimulatorConfig.builder().timeScale(0).build())) {
      String ollama = sim.baseUri().toString();
      for (List<String> command :
          List.of(
              List.of("models", "list", "--ollama", ollama),
              List.of("list", "--ollama", ollama),
              List.of("models", "show", "qwen2.5:0.5b", "--ollama", ollama),
              List.of("health", "--ollama", ollama, "--metrics-port", "0"),
              // stdin is at its end: the chat starts (asks for the model) and ends at once
              List.of("chat", "-m", "qwen2.5:0.5b", "--ollama", ollama))) {
        Path classes = Files.createTempFile("classes", ".log");
        Launcher.Result result =
            Launcher.run(
                TIMEOUT,
                Map.of("TINYLLM_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes),
                command.toArray(String[]::new));

        String loaded = Files.readString(classes);
        Files.deleteIfExists(classes);
        String name = String.join(" ", command.subList(0, 2));
        assertThat(result.exitCode()).as(name + ": " + result.err()).isZero();
        assertThat(loaded)
            .as(name)
            .contains("io.tinyllm.ollama.OllamaClient ")
            // no Guice class at all: the injector was not built
            .doesNotContain("com.google.inject.")
            .doesNotContain("ch.qos.logback.")
            // no breaker or retry is built for a call that has none
            .doesNotContain("io.github.resilience4j.circuitbreaker.CircuitBreakerConfig ")
            .doesNotContain("io.github.resilience4j.retry.RetryConfig ");
      }
    }
  }

  /** The command reports Redis being down itself; the cache's WARN would only repeat it. */
  @Test
  void aCommandThatReportsRedisDownLogsNoWarningRepeatingIt() {
    Launcher.Result result =
        Launcher.run(
            TIMEOUT,
            "cache",
            "clear",
            "--cache-backend",
            "redis",
            "--redis-uri",
            "redis://127.0.0.1:1");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: cannot reach Redis at redis://127.0.0.1:1, nothing was cleared: start it"
                + " (redis-server) or fix --redis-uri\n");
  }

  /** The config file and TINYLLM_* variables reach the commands, below their flags. */
  @Test
  void theConfigFileAndEnvironmentSetDefaultsThatFlagsOverride(@TempDir Path dir) throws Exception {
    try (OllamaSimulator sim =
        OllamaSimulator.start(SimulatorConfig.builder().timeScale(0).build())) {
      Path config = dir.resolve("config.yaml");
      Files.writeString(config, "ollama: " + sim.baseUri() + "\nmetrics-port: 1\n");
      int port;
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        port = free.getLocalPort();
      }
      Map<String, String> env =
          Map.of(
              "TINYLLM_CONFIG", config.toString(),
              "TINYLLM_METRICS_PORT", String.valueOf(port),
              "OLLAMA_HOST", "");

      Launcher.Result list = Launcher.run(TIMEOUT, env, "list", "-q");
      Launcher.Result health = Launcher.run(TIMEOUT, env, "health");
      Launcher.Result flag = Launcher.run(TIMEOUT, env, "--ollama", "127.0.0.1:1", "list");

      assertThat(list.exitCode()).as(list.err()).isZero();
      assertThat(list.out()).contains("qwen2.5:0.5b\n");
      assertThat(health.out()).contains("127.0.0.1:" + port + " is free for /metrics");
      assertThat(flag.exitCode()).isEqualTo(1);
      assertThat(flag.err()).startsWith("tinyllm: Cannot connect to Ollama at http://127.0.0.1:1");

      Files.writeString(config, "modle: qwen2.5:0.5b\n");
      Launcher.Result malformed = Launcher.run(TIMEOUT, env, "list");

      assertThat(malformed.exitCode()).isEqualTo(2);
      assertThat(malformed.err())
          .isEqualTo(
              "tinyllm: "
                  + config
                  + ":1: unknown key 'modle': expected one of model, ollama, timeout,"
                  + " connect-timeout, retries, metrics-port\n");
    }
  }

  /** The configured model is the built-in graph's; a --graph file keeps its own. */
  @Test
  void theConfiguredModelIsTheBuiltInGraphsModel(@TempDir Path dir) throws Exception {
    try (OllamaSimulator sim =
        OllamaSimulator.start(SimulatorConfig.builder().timeScale(0).build())) {
      Path config = dir.resolve("config.yaml");
      Files.writeString(config, "model: qwen2.5:1.5b\n");
      Map<String, String> env =
          Map.of("TINYLLM_CONFIG", config.toString(), "OLLAMA_HOST", sim.baseUri().toString());
      Map<String, String> variable = new HashMap<>(env);
      variable.put("TINYLLM_MODEL", "qwen2.5:3b");
      long before = sim.stats().requestsForModel("qwen2.5:1.5b");

      Launcher.Result run = Launcher.run(TIMEOUT, env, "run", "--json", "What is 2+2?");
      Launcher.Result overridden = Launcher.run(TIMEOUT, variable, "run", "--json", "Hi");
      Launcher.Result shown = Launcher.run(TIMEOUT, env, "config");
      Launcher.Result health = Launcher.run(TIMEOUT, variable, "health", "--metrics-port", "0");
      Launcher.Result exported =
          Launcher.run(TIMEOUT, env, "graph", "export", "builtin:qa", "--format", "text");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(new ObjectMapper().readTree(run.out()).get("model").asText())
          .isEqualTo("qwen2.5:1.5b");
      assertThat(sim.stats().requestsForModel("qwen2.5:1.5b")).isEqualTo(before + 1);
      assertThat(overridden.exitCode()).as(overridden.err()).isZero();
      assertThat(new ObjectMapper().readTree(overridden.out()).get("model").asText())
          .isEqualTo("qwen2.5:3b");
      assertThat(shown.out())
          .containsPattern("model +qwen2\\.5:1\\.5b +file " + Pattern.quote(config.toString()));
      assertThat(exported.out()).contains("qwen2.5:1.5b").doesNotContain("qwen2.5:0.5b");
      assertThat(health.out()).contains("OK      models        qwen2.5:3b installed\n");
    }
  }

  /**
   * The JVM options the launcher picks for a command line, read from a stand-in {@code java} that
   * prints its arguments one per line.
   */
  private static List<String> jvmOptionsFor(Path javaHome, String... args) {
    Launcher.Result result = Launcher.run(TIMEOUT, Map.of("JAVA_HOME", javaHome.toString()), args);
    assertThat(result.exitCode()).as("the stand-in java's exit status").isZero();
    List<String> printed = List.of(result.out().split("\n"));
    return printed.subList(0, printed.indexOf("io.tinyllm.cli.Main"));
  }

  @Test
  void serversKeepTheC2CompilerAndShortCommandsStartWithC1Only(@TempDir Path javaHome)
      throws Exception {
    Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    assertThat(java.toFile().setExecutable(true)).isTrue();
    String c1Only = "-XX:TieredStopAtLevel=1";

    assertThat(jvmOptionsFor(javaHome, "proxy", "--port", "0")).doesNotContain(c1Only);
    assertThat(jvmOptionsFor(javaHome, "--ollama", "http://gpu:11434", "proxy"))
        .doesNotContain(c1Only);
    assertThat(jvmOptionsFor(javaHome, "--log-level", "INFO", "--debug", "metrics"))
        .doesNotContain(c1Only);
    assertThat(jvmOptionsFor(javaHome, "ollama-sim")).doesNotContain(c1Only);
    assertThat(jvmOptionsFor(javaHome, "proxy")).contains("-XX:+UseSerialGC");

    assertThat(jvmOptionsFor(javaHome, "run", "proxy")).contains(c1Only);
    assertThat(jvmOptionsFor(javaHome, "--ollama", "proxy", "list")).contains(c1Only);
    assertThat(jvmOptionsFor(javaHome, "--version")).contains(c1Only);
    assertThat(jvmOptionsFor(javaHome, "demo")).contains(c1Only);
  }

  @Test
  void anUnknownCommandIsAUsageErrorWithoutAStackTrace() {
    Launcher.Result result = Launcher.run(TIMEOUT, "frobnicate");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("tinyllm: unknown command 'frobnicate' for 'tinyllm'\n")
        .contains("Run 'tinyllm --help' for usage.")
        .doesNotContain("\tat ");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void anInvalidDurationNamesTheOptionAndTheValue() {
    Launcher.Result result = Launcher.run(TIMEOUT, "metrics", "--port", "0", "--duration", "soon");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: Invalid value for option '--duration': 'soon' is not a duration: expected"
                + " one such as 500ms, 1.5s, 2m or 1h30m (units d, h, m, s, ms, largest first; a"
                + " bare number is seconds)\n"
                + "Run 'tinyllm metrics --help' for usage.\n");
  }

  @Test
  void metricsPortInUseIsOneClearLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      Launcher.Result result =
          Launcher.run(TIMEOUT, "metrics", "--port", String.valueOf(port), "--duration", "1s");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err())
          .startsWith("tinyllm: Port " + port + " on 127.0.0.1 is already in use")
          .doesNotContain("\tat ")
          .hasLineCount(1);
    }
  }

  @Test
  void demoServesEverySeedFamilyWithSamplesWhileItRuns() throws Exception {
    Path out = Files.createTempFile("demo", ".out");
    Path err = Files.createTempFile("demo", ".err");
    Process demo =
        Launcher.start(
            List.of(
                "demo",
                "--port",
                "0",
                "--duration",
                "15s",
                "--summary-every",
                "2s",
                "--time-scale",
                "0.2"),
            out,
            err);
    try {
      URI metrics = awaitLine(out, "Serving metrics at ", demo);
      String text = awaitAllFamilies(metrics, demo);

      for (String family : SeedFamilies.NAMES) {
        assertThat(text)
            .as("samples of %s", family)
            .containsPattern("(?m)^" + family + "(_bucket|_count|_sum)?[{ ]");
      }
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(demo.exitValue()).as(Files.readString(err)).isZero();
      assertThat(Files.readString(out))
          .startsWith("Ollama simulator at http://127.0.0.1:")
          .containsPattern("(?m)^\\[ +\\d+s\\] calls \\d+ done, \\d+ failed");
    } finally {
      demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void ollamaSimSpeaksOllamasApi() throws Exception {
    Path out = Files.createTempFile("sim", ".out");
    Path err = Files.createTempFile("sim", ".err");
    Process sim =
        Launcher.start(List.of("ollama-sim", "--port", "0", "--duration", "20s"), out, err);
    try {
      URI base = awaitLine(out, "Ollama simulator listening on ", sim);
      HttpResponse<String> version =
          HTTP.send(
              HttpRequest.newBuilder(base.resolve("/api/version")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(version.statusCode()).isEqualTo(200);
      assertThat(version.body()).matches("\\{\"version\":\"[0-9.]+\"}");
    } finally {
      sim.destroy();
      assertThat(sim.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** The URI printed after {@code prefix} on the process's stdout, waiting (bounded) for it. */
  private static URI awaitLine(Path out, String prefix, Process process) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : Files.readAllLines(out)) {
        if (line.startsWith(prefix)) {
          return URI.create(line.substring(prefix.length()).trim());
        }
      }
      assertThat(process.isAlive()).as("process still running").isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("no line starting with '" + prefix + "' within " + TIMEOUT);
  }

  /** Scrapes until every seed family has samples or the time is up; returns the last scrape. */
  private static String awaitAllFamilies(URI metrics, Process process) throws Exception {
    String text = "";
    long deadline = System.nanoTime() + Duration.ofSeconds(12).toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      text =
          HTTP.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
              .body();
      String scraped = text;
      if (SeedFamilies.NAMES.stream()
          .allMatch(f -> scraped.matches("(?s).*\\n" + f + "(_bucket|_count|_sum)?[{ ].*"))) {
        return text;
      }
      Thread.sleep(250);
    }
    return text;
  }

  @Test
  void metricsWithOllamaExportsItsHealthAndInventory() throws Exception {
    Path simOut = Files.createTempFile("sim", ".out");
    Path out = Files.createTempFile("metrics", ".out");
    Path err = Files.createTempFile("metrics", ".err");
    Process sim =
        Launcher.start(List.of("ollama-sim", "--port", "0", "--duration", "30s"), simOut, err);
    Process metrics = null;
    try {
      URI ollama = awaitLine(simOut, "Ollama simulator listening on ", sim);
      // load a model so the inventory has something to show
      HTTP.send(
          HttpRequest.newBuilder(ollama.resolve("/api/generate"))
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"hi\",\"stream\":false}"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      metrics =
          Launcher.start(
              List.of(
                  "metrics",
                  "--port",
                  "0",
                  "--duration",
                  "20s",
                  "--ollama",
                  ollama.toString(),
                  "--probe-interval",
                  "1s"),
              out,
              err);
      URI endpoint = awaitLine(out, "Serving metrics at ", metrics);
      String text =
          HTTP.send(HttpRequest.newBuilder(endpoint).build(), HttpResponse.BodyHandlers.ofString())
              .body();

      assertThat(text)
          .contains("tinyllm_ollama_up 1.0")
          .contains("tinyllm_ollama_models_loaded 1.0")
          .containsPattern("tinyllm_ollama_model_vram_bytes\\{model=\"qwen2.5:0.5b\"} \\d");

      sim.destroy();
      assertThat(sim.waitFor(30, TimeUnit.SECONDS)).isTrue();
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < deadline
          && !HTTP.send(
                  HttpRequest.newBuilder(endpoint).build(), HttpResponse.BodyHandlers.ofString())
              .body()
              .contains("tinyllm_ollama_up 0.0")) {
        Thread.sleep(200);
      }
      assertThat(
              HTTP.send(
                      HttpRequest.newBuilder(endpoint).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .contains("tinyllm_ollama_up 0.0");
    } finally {
      sim.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      if (metrics != null) {
        metrics.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(simOut);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void runAnswersAsJsonAndBatchPushesToAPushgateway(@TempDir Path dir) throws Exception {
    Path simOut = dir.resolve("sim.out");
    Process sim =
        Launcher.start(
            List.of("ollama-sim", "--port", "0", "--time-scale", "0.05", "--duration", "60s"),
            simOut,
            dir.resolve("sim.err"));
    try (PushgatewayProcess gateway = PushgatewayProcess.start()) {
      String ollama = awaitLine(simOut, "Ollama simulator listening on ", sim).toString();

      Launcher.Result run = Launcher.run(TIMEOUT, "run", "--ollama", ollama, "--json", "Hi?");

      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonNode answer = new ObjectMapper().readTree(run.out());
      assertThat(answer.get("answer").asText()).isNotBlank();
      assertThat(answer.get("graph").asText()).isEqualTo("qa");
      assertThat(answer.get("output_tokens").asLong()).isPositive();

      Path prompts = dir.resolve("prompts.txt");
      Files.writeString(prompts, "What is 2+2?\nName a colour.\nWhy is the sky blue?\n");
      Launcher.Result batch =
          Launcher.run(
              TIMEOUT,
              "batch",
              prompts.toString(),
              "--ollama",
              ollama,
              "--model",
              "qwen2.5:0.5b",
              "--push-gateway",
              gateway.address());

      assertThat(batch.exitCode()).as(batch.err()).isZero();
      assertThat(batch.out().lines()).hasSize(3);
      assertThat(gateway.metricsText())
          .contains(
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"success\"} 3")
          .contains(
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"error\"} 0");
    } finally {
      sim.destroy();
      assertThat(sim.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void badInputIsOneLineNamingThePlace(@TempDir Path dir) throws Exception {
    Path jsonl = dir.resolve("prompts.jsonl");
    Files.writeString(jsonl, "{\"prompt\":\"ok\"}\n{oops\n");

    Launcher.Result batch =
        Launcher.run(TIMEOUT, "batch", jsonl.toString(), "--ollama", "127.0.0.1:1");
    Launcher.Result graph =
        Launcher.run(TIMEOUT, "graph", "validate", dir.resolve("missing.yaml").toString());
    Launcher.Result noQuery = Launcher.run(TIMEOUT, "run");

    assertThat(batch.exitCode()).isEqualTo(1);
    assertThat(batch.err())
        .startsWith(jsonl + ":2: invalid JSON")
        .contains("nothing was run")
        .doesNotContain("\tat ");
    assertThat(graph.exitCode()).isEqualTo(1);
    assertThat(graph.err())
        .contains(dir.resolve("missing.yaml").toString())
        .doesNotContain("\tat ");
    assertThat(noQuery.exitCode()).isEqualTo(2);
    // no words and an empty stdin: there is no prompt to send
    assertThat(noQuery.err()).startsWith("tinyllm: No prompt: give it as arguments or on stdin");
  }

  @Test
  void metricsServesTheRegistryOfDiscoveredPlugins() {
    Launcher.Result result = Launcher.run(TIMEOUT, "metrics", "--port", "0", "--duration", "1s");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("Serving metrics at http://127.0.0.1:");
  }

  @Test
  void noPasswordIsPrintedEvenWithDebug(@TempDir Path dir) throws Exception {
    String password = "s3cret-" + System.nanoTime();
    Path prompts = dir.resolve("p.txt");
    Files.writeString(prompts, "hi\n");
    Map<String, String> ollamaHost =
        Map.of("OLLAMA_HOST", "http://bob:" + password + "@127.0.0.1:1");
    List<Launcher.Result> results =
        List.of(
            Launcher.run(TIMEOUT, ollamaHost, "health", "--debug"),
            Launcher.run(TIMEOUT, ollamaHost, "run", "--debug", "--model", "m", "hi"),
            Launcher.run(TIMEOUT, ollamaHost, "batch", prompts.toString(), "--debug"),
            Launcher.run(
                TIMEOUT,
                "run",
                "--debug",
                "--ollama",
                "http://bob:" + password + "@not a host",
                "hi"),
            Launcher.run(
                TIMEOUT,
                "batch",
                prompts.toString(),
                "--debug",
                "--ollama",
                "127.0.0.1:1",
                "--push-gateway",
                "http://user:" + password + "@127.0.0.1:1"),
            Launcher.run(
                TIMEOUT,
                Map.of("TINYLLM_METRICS_PASSWORD", password),
                "metrics",
                "--debug",
                "--port",
                "0",
                "--duration",
                "0s",
                "--metrics-user",
                "prom"));

    for (Launcher.Result result : results) {
      assertThat(result.err() + result.out()).doesNotContain(password);
    }
    assertThat(results.get(0).exitCode()).isEqualTo(1);
    assertThat(results.get(0).err())
        .contains("Invalid value 'http://***@127.0.0.1:1' for environment variable OLLAMA_HOST");
    assertThat(results.get(3).exitCode()).isEqualTo(2);
    assertThat(results.get(4).exitCode()).isEqualTo(2);
    assertThat(results.get(5).exitCode()).as(results.get(5).err()).isZero();
  }

  @Test
  void aJvmErrorIsOneLineAndExitThree(@TempDir Path dir) throws Exception {
    // a prompt too big for a 16 MB heap: the JVM runs out of memory reading it
    Path prompts = dir.resolve("huge.txt");
    try (var out = Files.newBufferedWriter(prompts)) {
      String line = "x".repeat(1 << 20) + "\n";
      for (int i = 0; i < 64; i++) {
        out.write(line);
      }
    }
    Launcher.Result result =
        Launcher.run(
            TIMEOUT,
            Map.of("TINYLLM_JAVA_OPTS", "-Xmx16m -XX:+UseSerialGC"),
            "batch",
            prompts.toString(),
            "--ollama",
            "127.0.0.1:1");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(3);
    assertThat(result.err())
        .startsWith("tinyllm: out of memory (Java heap space)")
        .doesNotContain("\tat ")
        .hasLineCount(1);
  }
}
