package io.tinyllm.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile or mistaken input: one clear line naming the problem, exit 2 for how the command was
 * called and 1 for what it read, never a stack trace.
 */
class BadInputTest {
  private static OllamaSimulator sim;
  private static String ollama;

  @TempDir Path dir;

  @BeforeAll
  static void startSimulator() {
    // a server with a body limit of 16 MiB (Ollama has none; a proxy in front of it may)
    sim =
        Fixtures.simulator(
            SimulatorConfig.builder().timeScale(0.01).maxRequestBytes(16 * 1024 * 1024).build());
    ollama = sim.baseUri().toString();
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  /** Exit {@code code}, one {@code tinyllm: } line containing {@code names}, no stack trace. */
  private static void assertOneClearError(
      ReliabilityAccess.Result result, int code, String... names) {
    String what = "exit " + result.exitCode() + ", stderr:\n" + result.err();
    assertThat(result.exitCode()).as(what).isEqualTo(code);
    List<String> errors = result.err().lines().filter(l -> l.startsWith("tinyllm: ")).toList();
    assertThat(errors).as(what).hasSize(1);
    for (String name : names) {
      assertThat(errors.get(0)).as(what).contains(name);
    }
    assertThat(result.err()).as(what).doesNotContain("\tat ").doesNotContain("Exception:");
  }

  @Test
  void aMissingGraphFileIsNamed() throws IOException {
    Path missing = dir.resolve("missing.yaml");
    assertOneClearError(
        ReliabilityAccess.run("run", "--ollama", ollama, "--graph", missing.toString(), "hi"),
        1,
        "missing.yaml");

    Path prompts = Files.writeString(dir.resolve("p.txt"), "one\ntwo\n");
    assertOneClearError(
        ReliabilityAccess.run(
            "batch", prompts.toString(), "--ollama", ollama, "--graph", missing.toString()),
        1,
        "missing.yaml");
    ReliabilityAccess.Result validate =
        ReliabilityAccess.run("graph", "validate", missing.toString());
    assertThat(validate.exitCode()).isEqualTo(1);
    assertThat(validate.err()).contains("missing.yaml").doesNotContain("\tat ");
  }

  @Test
  void invalidYamlGraphsAreNamedWithTheirFile() throws IOException {
    Map<String, String> broken =
        Map.of(
            "syntax.yaml", "id: g\nnodes: [\n  - {id: a, type: entry\n",
            "scalar.yaml", "just a string\n",
            "list.yaml", "- 1\n- 2\n",
            "empty.yaml", "",
            "binary.yaml", "\u0000\u0001\u0002\uFFFD\u0007",
            "deep.yaml", "a: ".repeat(1) + "[".repeat(5000) + "]".repeat(5000) + "\n");
    for (Map.Entry<String, String> file : broken.entrySet()) {
      Path path = Files.writeString(dir.resolve(file.getKey()), file.getValue());
      ReliabilityAccess.Result validate =
          ReliabilityAccess.run("graph", "validate", path.toString());
      assertThat(validate.exitCode()).as(file.getKey() + ": " + validate.err()).isEqualTo(1);
      assertThat(validate.err())
          .as(file.getKey())
          .contains(file.getKey())
          .doesNotContain("\tat ")
          .doesNotContain("Exception:");
      assertOneClearError(
          ReliabilityAccess.run("run", "--ollama", ollama, "--graph", path.toString(), "hi"), 1);
    }
  }

  @Test
  void invalidArgumentsAreUsageErrors() throws IOException {
    String prompts = Files.writeString(dir.resolve("x.txt"), "one\n").toString();
    String[][] calls = {
      {"run", "--frobnicate", "hi"},
      {"run", "--ollama", ollama, "--workers", "0", "hi"},
      {"run", "--ollama", ollama, "--workers", "many", "hi"},
      {"run", "--ollama", ollama, "--max-queue-size", "-1", "hi"},
      {"run", "--ollama", ollama, "--cache-ttl", "forever", "hi"},
      {"run", "--ollama", ollama, "--cache-backend", "disk", "hi"},
      {"run", "--ollama", ollama, "--metrics-port", "70000", "hi"},
      {"run", "--ollama", "http://127.0.0.1:99999", "hi"},
      {"run", "--ollama", ollama, "--temperature", "warm", "--model", "m", "hi"},
      {"run", "--ollama", ollama, "   "},
      {"run", "--ollama", ollama, "--push-job", "j", "hi"},
      {"batch", prompts, "--format", "csv"},
      {"batch", prompts, "--ollama", ollama, "--metrics-linger", "5s"},
    };
    for (String[] call : calls) {
      ReliabilityAccess.Result result = ReliabilityAccess.run(call);
      String what = String.join(" ", call) + " -> " + result.exitCode() + "\n" + result.err();
      assertThat(result.exitCode()).as(what).isEqualTo(2);
      assertThat(result.err()).as(what).startsWith("tinyllm: ").doesNotContain("\tat ");
    }
  }

  @Test
  void invalidSettingsNameTheKeyAndTheValue() {
    // each setting is read when the component that owns it is first built
    Object[][] bad = {
      {"queue.workers", "lots", RequestQueue.class},
      {"queue.backpressure", "drop", RequestQueue.class},
      {"ollama.timeout.request", "soon", LlmClient.class},
      {"ollama.retry.max-attempts", "-3", LlmClient.class},
      {"cache.ttl", "eventually", LlmClient.class},
      {"cache.backend", "disk", LlmClient.class},
      {"metrics.http.port", "http", LlmClient.class},
      {"metrics.labels.max-values", "none", LlmClient.class},
    };
    for (Object[] setting : bad) {
      String key = (String) setting[0];
      String value = (String) setting[1];
      Class<?> owner = (Class<?>) setting[2];
      assertThatThrownBy(
              () -> {
                try (ReliabilityAccess.App app =
                    Fixtures.start(
                        Fixtures.settings(ollama, key, value, "metrics.exporters", "http"))) {
                  app.get(owner);
                }
              })
          .as(key)
          .isInstanceOf(TinyLlmException.class)
          .hasMessageContaining(key)
          .hasMessageContaining(value);
    }
  }

  @Test
  void tlsFilesThatAreNotPemAreNamed() throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
    Path key = Files.writeString(dir.resolve("key.pem"), "not a key\n");
    assertThatThrownBy(
            () ->
                Fixtures.start(
                    Fixtures.settings(
                        ollama,
                        "metrics.exporters",
                        "http",
                        "metrics.http.port",
                        "0",
                        "metrics.http.tls.cert",
                        cert.toString(),
                        "metrics.http.tls.key",
                        key.toString())))
        .isInstanceOf(TinyLlmException.class)
        .hasMessageContaining("cert.pem");
  }

  @Test
  void aMetricsPortInUseIsOneLine() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String port = String.valueOf(taken.getLocalPort());
      assertOneClearError(
          ReliabilityAccess.run("run", "--ollama", ollama, "--metrics-port", port, "hi"),
          1,
          port,
          "already in use");
      Path prompts = Files.writeString(dir.resolve("p.txt"), "one\n");
      assertOneClearError(
          ReliabilityAccess.run(
              "batch", prompts.toString(), "--ollama", ollama, "--metrics-port", port),
          1,
          port,
          "already in use");
    }
  }

  @Test
  void aTenMegabytePromptFileIsAnsweredOrRefusedCleanly() throws IOException {
    Path prompts = dir.resolve("huge.txt");
    try (Writer writer = Files.newBufferedWriter(prompts, StandardCharsets.UTF_8)) {
      writer.write("short question\n");
      String word = "lorem ipsum dolor sit amet ";
      for (int i = 0; i < 10 * 1024 * 1024 / word.length(); i++) {
        writer.write(word);
      }
      writer.write("\nanother short question\n");
    }
    Path results = dir.resolve("results.jsonl");
    ReliabilityAccess.Result result =
        ReliabilityAccess.run(
            "batch",
            prompts.toString(),
            "--ollama",
            ollama,
            "--model",
            "qwen2.5:0.5b",
            "-o",
            results.toString());

    assertThat(result.err()).doesNotContain("\tat ").doesNotContain("Exception:");
    List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("\"error\":null");
    assertThat(lines.get(2)).contains("\"error\":null");
    assertThat(result.exitCode()).as(result.err()).isIn(0, 1);
  }

  @Test
  void aPromptAboveTheServersLimitIsAClearError() {
    String huge = "x ".repeat(9 * 1024 * 1024); // 18 MiB, above this simulator's 16 MiB
    ReliabilityAccess.Result result =
        ReliabilityAccess.run("run", "--ollama", ollama, "--model", "qwen2.5:0.5b", huge);
    assertOneClearError(result, 1);
  }
}
