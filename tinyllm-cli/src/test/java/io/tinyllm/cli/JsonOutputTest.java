package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.tinyllm.metrics.SystemInfoMetrics;
import io.tinyllm.metrics.testing.FreePorts;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --json} on the commands that report something: one object, snake_case fields. */
class JsonOutputTest {
  @TempDir Path dir;

  private static JsonNode json(Cli.Result result) throws Exception {
    assertThat(result.err()).as("stderr").doesNotContain("\tat ");
    return CliJson.mapper().readTree(result.out());
  }

  @Test
  void version() throws Exception {
    Cli.Result result = Cli.run("version", "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode node = json(result);
    assertThat(node.get("version").asText()).isEqualTo(SystemInfoMetrics.version());
    assertThat(node.get("java_version").asText()).isEqualTo(System.getProperty("java.version"));
    assertThat(node.get("java_vendor").asText()).isNotBlank();
  }

  @Test
  void healthPassingAndFailing() throws Exception {
    try (OllamaSimulator sim =
        OllamaSimulator.start(SimulatorConfig.builder().timeScale(0).build())) {
      String port = String.valueOf(FreePorts.find());
      Cli.Result ok =
          Cli.run("health", "--json", "--ollama", sim.baseUri().toString(), "--metrics-port", port);
      Cli.Result failed =
          Cli.run("health", "--json", "--ollama", Cli.NOWHERE, "--metrics-port", port);

      assertThat(ok.exitCode()).as(ok.err()).isZero();
      JsonNode passed = json(ok);
      assertThat(passed.get("status").asText()).isEqualTo("ok");
      assertThat(passed.get("checks").findValuesAsText("name"))
          .containsExactly("ollama", "models", "metrics-port");
      assertThat(passed.get("checks").findValuesAsText("status")).containsOnly("ok");

      assertThat(failed.exitCode()).isEqualTo(1);
      JsonNode report = json(failed);
      assertThat(report.get("status").asText()).isEqualTo("fail");
      assertThat(report.get("checks").get(0).get("status").asText()).isEqualTo("fail");
      assertThat(report.get("checks").get(0).get("detail").asText())
          .startsWith("Cannot connect to Ollama at http://127.0.0.1:1");
      assertThat(report.get("checks").get(1).get("status").asText()).isEqualTo("skip");
      assertThat(failed.err()).isEqualTo("tinyllm: 1 of 3 checks failed\n");
    }
  }

  @Test
  void cacheStatsReadsTheCountersOfARunningTinyllm() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] metrics =
        """
        # TYPE tinyllm_cache_hits counter
        tinyllm_cache_hits_total{cache_type="response"} 3.0
        # TYPE tinyllm_cache_misses counter
        tinyllm_cache_misses_total{cache_type="response"} 1.0
        # TYPE tinyllm_cache_entries gauge
        tinyllm_cache_entries{cache_type="response"} 2.0
        """
            .getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/metrics",
        exchange -> {
          exchange.sendResponseHeaders(200, metrics.length);
          exchange.getResponseBody().write(metrics);
          exchange.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics";
      Cli.Result result = Cli.run("cache", "stats", "--url", url, "--json");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode node = json(result);
      assertThat(node.get("backend").asText()).isEqualTo("memory");
      assertThat(node.get("metrics_url").asText()).isEqualTo(url);
      JsonNode cache = node.get("caches").get(0);
      assertThat(cache.get("cache_type").asText()).isEqualTo("response");
      assertThat(cache.get("hits").asLong()).isEqualTo(3);
      assertThat(cache.get("misses").asLong()).isEqualTo(1);
      assertThat(cache.get("hit_rate").asDouble()).isEqualTo(0.75);
      assertThat(cache.get("entries").asLong()).isEqualTo(2);
      assertThat(cache.get("stores").asLong()).isZero();
    } finally {
      server.stop(0);
    }
  }

  @Test
  void graphValidateListsEachFileWithItsProblems() throws Exception {
    Path good = dir.resolve("good.yaml");
    Files.writeString(
        good,
        """
        id: review
        nodes:
          - {id: entry, type: entry}
          - {id: exit, type: exit}
        edges:
          - {from_node: entry, to_node: exit}
        entry_points: [entry]
        exit_points: [exit]
        """);
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        id: broken
        nodes:
          - {id: entry, type: entry}
          - {id: think, type: wizard}
          - {id: exit, type: exit}
        edges:
          - {from_node: entry, to_node: exit}
        entry_points: [entry]
        exit_points: [exit]
        """);

    Cli.Result result = Cli.run("graph", "validate", "--json", good.toString(), bad.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    JsonNode files = json(result);
    assertThat(files.get(0).get("file").asText()).isEqualTo(good.toString());
    assertThat(files.get(0).get("valid").asBoolean()).isTrue();
    assertThat(files.get(0).get("graph").asText()).isEqualTo("review");
    assertThat(files.get(0).get("nodes").asInt()).isEqualTo(2);
    assertThat(files.get(1).get("valid").asBoolean()).isFalse();
    JsonNode problem = files.get(1).get("problems").get(0);
    assertThat(problem.get("file").asText()).isEqualTo(bad.toString());
    assertThat(problem.get("line").asInt()).isEqualTo(4);
    assertThat(problem.get("node").asText()).isEqualTo("think");
    assertThat(problem.get("field").asText()).isEqualTo("type");
    assertThat(problem.get("message").asText()).contains("wizard");
    assertThat(result.err()).isEqualTo("tinyllm: 1 graph file is invalid (1 problem)\n");
  }
}
