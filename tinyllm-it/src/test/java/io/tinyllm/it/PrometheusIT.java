package io.tinyllm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.google.inject.Guice;
import io.tinyllm.api.config.Settings;
import io.tinyllm.it.containers.OllamaContainer;
import io.tinyllm.it.containers.PrometheusContainer;
import io.tinyllm.it.containers.PushgatewayContainer;
import io.tinyllm.it.containers.TinyLlmContainer;
import io.tinyllm.it.support.Polling;
import io.tinyllm.it.support.PromQlExamples;
import io.tinyllm.it.support.PrometheusApi;
import io.tinyllm.it.support.RequiresDocker;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.MetricsModule;
import io.tinyllm.metrics.SystemInfoMetrics;
import io.tinyllm.metrics.exporter.PushResult;
import io.tinyllm.metrics.exporter.PushgatewayConfig;
import io.tinyllm.metrics.exporter.PushgatewayMetricsExporter;
import io.tinyllm.metrics.testing.SeedFamilies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startables;

/**
 * Prometheus scraping a running {@code tinyllm demo} and a Pushgateway, all in containers on one
 * network with an Ollama server for {@code tinyllm batch} runs: Prometheus reaches the others by
 * alias, the test reaches Prometheus and the gateway through ports mapped on this machine.
 */
@RequiresDocker
class PrometheusIT {
  private static final Duration SCRAPED_WITHIN = Duration.ofSeconds(60);
  private static final String CONFIG =
      """
      global:
        scrape_interval: 1s
        evaluation_interval: 1s
      scrape_configs:
        - job_name: tinyllm
          static_configs:
            - targets: ["tinyllm:%d"]
        - job_name: pushgateway
          # pushed series keep the job they were pushed under
          honor_labels: true
          static_configs:
            - targets: ["pushgateway:%d"]
      """
          .formatted(TinyLlmContainer.METRICS_PORT, PushgatewayContainer.PORT);

  private static final Network network = Network.newNetwork();
  static final PushgatewayContainer pushgateway =
      new PushgatewayContainer().withNetwork(network).withNetworkAliases("pushgateway");
  static final TinyLlmContainer tinyllm =
      TinyLlmContainer.runningDemo().withNetwork(network).withNetworkAliases("tinyllm");
  static final PrometheusContainer prometheus =
      new PrometheusContainer().withNetwork(network).withConfig(CONFIG);
  // answers the batch of the PromQL test (the demo's own simulator is inside its container)
  static final OllamaContainer ollama =
      new OllamaContainer().withNetwork(network).withNetworkAliases(OllamaContainer.NETWORK_ALIAS);

  /**
   * Queries of docs/promql.md that cannot return data in this run, with the reason. Keep it short:
   * a query here is one the docs show without proof that it works.
   */
  private static final Map<String, String> WITHOUT_DATA_HERE = Map.of();

  @BeforeAll
  static void start() {
    // in parallel: they are independent until Prometheus scrapes
    Startables.deepStart(pushgateway, tinyllm, prometheus, ollama).join();
  }

  @AfterAll
  static void stop() {
    // no Ryuk here (its image would come from a registry), so everything is removed by hand
    prometheus.stop();
    tinyllm.stop();
    ollama.stop();
    pushgateway.stop();
    network.close();
  }

  @Test
  void bothTargetsAreUp() throws Exception {
    PrometheusApi api = new PrometheusApi(prometheus.url());

    Polling.untilAsserted(
        SCRAPED_WITHIN,
        () ->
            assertThat(api.query("up"))
                .extracting(s -> s.label("job"), s -> s.label("instance"), s -> s.value())
                .containsExactlyInAnyOrder(
                    tuple("pushgateway", "pushgateway:" + PushgatewayContainer.PORT, "1"),
                    tuple("tinyllm", "tinyllm:" + TinyLlmContainer.METRICS_PORT, "1")));
  }

  @Test
  void everySeedFamilyHasSeriesScrapedFromTheDemo() throws Exception {
    PrometheusApi api = new PrometheusApi(prometheus.url());

    Polling.untilAsserted(
        SCRAPED_WITHIN,
        () -> {
          for (String family : SeedFamilies.NAMES) {
            String series = family.endsWith("_seconds") ? family + "_count" : family;
            assertThat(api.query(series + "{job=\"tinyllm\"}"))
                .as("series of %s scraped from the demo", family)
                .isNotEmpty();
          }
        });
  }

  @Test
  void systemInfoComesFromTheCliAndThroughTheGatewayUnderItsOwnJob() throws Exception {
    Settings settings =
        Settings.of(
            Map.of(
                PushgatewayConfig.ADDRESS, pushgateway.address(),
                PushgatewayConfig.JOB, "tinyllm-it",
                PushgatewayConfig.PUSH_ON_CLOSE, "false"));
    try (MetricsCollector collector =
        Guice.createInjector(Settings.module(settings), new MetricsModule())
            .getInstance(MetricsCollector.class)) {
      PushResult pushed =
          ((PushgatewayMetricsExporter) collector.start(PushgatewayMetricsExporter.NAME)).push();
      assertThat(pushed.success()).as("push failed: %s", pushed.message()).isTrue();
    }
    PrometheusApi api = new PrometheusApi(prometheus.url());

    Polling.untilAsserted(
        SCRAPED_WITHIN,
        () ->
            // a batch of another test pushes under its own job, tinyllm-batch
            assertThat(api.query("tinyllm_system_info{job=~\"tinyllm|tinyllm-it\"}"))
                .extracting(s -> s.label("job"), s -> s.label("version"), s -> s.value())
                .containsExactlyInAnyOrder(
                    tuple("tinyllm", SystemInfoMetrics.version(), "1"),
                    tuple("tinyllm-it", SystemInfoMetrics.version(), "1")));
  }

  @Test
  void everyQueryOfThePromQlDocsReturnsData() throws Exception {
    List<String> queries = PromQlExamples.read(PromQlExamples.docs().resolve("promql.md"));
    assertThat(queries).as("queries of docs/promql.md").hasSizeGreaterThan(20);
    assertThat(queries).containsAll(WITHOUT_DATA_HERE.keySet());
    // the batch families exist only once a batch has pushed them
    try (TinyLlmContainer batch =
        TinyLlmContainer.runningBatch(
                List.of("What is 2+2?", "Name a river."),
                "--ollama",
                OllamaContainer.NETWORK_URL,
                "--push-gateway",
                "pushgateway:" + PushgatewayContainer.PORT)
            .withNetwork(network)) {
      batch.start();
      assertThat(batch.exitCode())
          .as("exit status of the batch; stderr:%n%s", batch.stderr())
          .isZero();
    }
    PrometheusApi api = new PrometheusApi(prometheus.url());

    // rate() needs two scrapes in its window, and the gateway's series one scrape after the push
    Polling.untilAsserted(
        SCRAPED_WITHIN,
        () -> {
          List<String> empty = new ArrayList<>();
          for (String query : queries) {
            if (!WITHOUT_DATA_HERE.containsKey(query) && api.query(query).isEmpty()) {
              empty.add(query);
            }
          }
          assertThat(empty).as("queries of docs/promql.md that return nothing").isEmpty();
        });
  }
}
