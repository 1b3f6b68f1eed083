package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.metrics.testing.FreePorts;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StatsCommandTest {
  private static final double[] LATENCY_BUCKETS = {
    .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300
  };

  /** A registry holding known traffic under TinyLLM's family names. */
  private static PrometheusRegistry knownTraffic() {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter requests =
        Counter.builder()
            .name("tinyllm_requests_total")
            .labelNames("model", "graph", "request_type")
            .register(registry);
    Counter errors =
        Counter.builder()
            .name("tinyllm_errors_total")
            .labelNames("error_type", "model", "graph")
            .register(registry);
    Histogram latency =
        Histogram.builder()
            .name("tinyllm_request_latency_seconds")
            .labelNames("model", "graph")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
    Counter output =
        Counter.builder()
            .name("tinyllm_tokens_output_total")
            .labelNames("model", "graph")
            .register(registry);
    Histogram eval =
        Histogram.builder()
            .name("tinyllm_ollama_eval_duration_seconds")
            .labelNames("model")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
    Counter hits =
        Counter.builder()
            .name("tinyllm_cache_hits_total")
            .labelNames("cache_type")
            .register(registry);
    Counter misses =
        Counter.builder()
            .name("tinyllm_cache_misses_total")
            .labelNames("cache_type")
            .register(registry);
    Gauge queueSize =
        Gauge.builder().name("tinyllm_queue_size").labelNames("priority").register(registry);
    Counter graphRuns =
        Counter.builder()
            .name("tinyllm_graph_executions_total")
            .labelNames("graph")
            .register(registry);

    // qwen: 4 calls (3 in graph qa, 1 outside), one failed; 0.02, 0.03, 0.2 and 0.7 s
    requests.labelValues("qwen2.5:0.5b", "qa", "generate").inc(3);
    requests.labelValues("qwen2.5:0.5b", "default", "generate").inc();
    errors.labelValues("timeout", "qwen2.5:0.5b", "qa").inc();
    latency.labelValues("qwen2.5:0.5b", "qa").observe(0.02);
    latency.labelValues("qwen2.5:0.5b", "qa").observe(0.03);
    latency.labelValues("qwen2.5:0.5b", "qa").observe(0.7);
    latency.labelValues("qwen2.5:0.5b", "default").observe(0.2);
    output.labelValues("qwen2.5:0.5b", "qa").inc(60);
    output.labelValues("qwen2.5:0.5b", "default").inc(40);
    eval.labelValues("qwen2.5:0.5b").observe(1.5);
    eval.labelValues("qwen2.5:0.5b").observe(0.5);
    hits.labelValues("memory").inc(3);
    misses.labelValues("memory").inc();
    queueSize.labelValues("all").set(2);
    graphRuns.labelValues("qa").inc(3);
    return registry;
  }

  @Test
  void summarizesAScrapeOfARunningEndpoint() throws Exception {
    try (HTTPServer server =
        HTTPServer.builder()
            .hostname("127.0.0.1")
            .port(FreePorts.find())
            .registry(knownTraffic())
            .buildAndStart()) {
      String url = "http://127.0.0.1:" + server.getPort() + "/metrics";

      Cli.Result json = Cli.run("stats", "--url", url, "--json");
      Cli.Result text = Cli.run("stats", "--url", "127.0.0.1:" + server.getPort());

      assertThat(json.exitCode()).as(json.err()).isZero();
      JsonNode summary = CliJson.mapper().readTree(json.out());
      assertThat(summary.get("source").asText()).isEqualTo(url);
      JsonNode qwen = summary.get("models").get("qwen2.5:0.5b");
      assertThat(qwen.get("requests").asLong()).isEqualTo(4);
      assertThat(qwen.get("errors").asLong()).isEqualTo(1);
      assertThat(qwen.get("error_rate").asDouble()).isEqualTo(0.25);
      // ranks 2 and 3.8 of 4: in (0.025, 0.05] and (0.5, 1] by linear interpolation
      assertThat(qwen.get("latency_p50_seconds").asDouble()).isCloseTo(0.05, within(1e-9));
      assertThat(qwen.get("latency_p95_seconds").asDouble()).isCloseTo(0.9, within(1e-9));
      assertThat(qwen.get("tokens_per_second").asDouble()).isCloseTo(50.0, within(1e-9));
      assertThat(qwen.get("output_tokens").asLong()).isEqualTo(100);
      assertThat(summary.get("cache").get("memory").get("hit_rate").asDouble()).isEqualTo(0.75);
      assertThat(summary.get("graphs").get("qa").get("runs").asLong()).isEqualTo(3);
      assertThat(summary.get("queue").get("waiting").asLong()).isEqualTo(2);

      assertThat(text.exitCode()).as(text.err()).isZero();
      assertThat(text.out())
          .startsWith("Source: " + url + "\n")
          .containsPattern("(?m)^qwen2\\.5:0\\.5b +4 +1 +25\\.0% +50 ms +900 ms +50\\.0 +0 +100$")
          .containsPattern("(?m)^memory +3 +1 +75\\.0%$");
    }
  }

  @Test
  void withoutUrlItSummarizesItsOwnEmptyRegistryAndSaysSo() {
    Cli.Result result = Cli.run("stats");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("Models: no requests recorded")
        .contains("Note: this is the stats command's own registry");
  }

  @Test
  void anUnreachableEndpointIsOneLineAndABadUrlAUsageError() {
    Cli.Result result = Cli.run("stats", "--url", "http://" + Cli.NOWHERE + "/metrics");
    Cli.Result bad = Cli.run("stats", "--url", "http://");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).startsWith("tinyllm: Cannot scrape http://127.0.0.1:");
    assertThat(result.err().lines()).hasSize(1);
    assertThat(bad.exitCode()).isEqualTo(2);
  }

  @Test
  void quantilesInterpolateLikePromql() {
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    buckets.put(0.1, 1.0);
    buckets.put(0.5, 3.0);
    buckets.put(1.0, 4.0);
    buckets.put(Double.POSITIVE_INFINITY, 5.0);

    // rank 2.5 of 5 lies in (0.1, 0.5], 1.5 of its 2 observations in
    assertThat(PrometheusText.quantile(0.5, buckets)).isCloseTo(0.4, within(1e-9));
    assertThat(PrometheusText.quantile(0.1, buckets)).isCloseTo(0.05, within(1e-9));
    // the rank falls in +Inf: the highest finite bound
    assertThat(PrometheusText.quantile(0.99, buckets)).isEqualTo(1.0);
    assertThat(PrometheusText.quantile(0.5, new TreeMap<>())).isNaN();
  }

  @Test
  void parsesEscapedLabelsAndSpecialValues() {
    PrometheusText text =
        PrometheusText.parse(
            "# HELP x a metric\n"
                + "x{a=\"q\\\"uote\",b=\"back\\\\slash\"} 1.5\n"
                + "y NaN\n"
                + "z_bucket{le=\"+Inf\"} 3 1700000000\n");

    assertThat(text.samples()).hasSize(3);
    assertThat(text.samples().get(0).label("a")).isEqualTo("q\"uote");
    assertThat(text.samples().get(0).label("b")).isEqualTo("back\\slash");
    assertThat(text.samples().get(1).value()).isNaN();
    assertThat(text.buckets("z", s -> true)).containsEntry(Double.POSITIVE_INFINITY, 3.0);
  }
}
