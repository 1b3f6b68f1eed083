package io.tinyllm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.google.inject.Guice;
import io.tinyllm.api.config.Settings;
import io.tinyllm.it.containers.PrometheusContainer;
import io.tinyllm.it.containers.PushgatewayContainer;
import io.tinyllm.it.containers.TinyLlmContainer;
import io.tinyllm.it.support.Polling;
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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startables;

/**
 * Prometheus scraping a running {@code tinyllm demo} and a Pushgateway, all in containers on one
 * network: Prometheus reaches the others by alias, the test reaches Prometheus and the gateway
 * through ports mapped on this machine. Every query the project ships is {@link
 * ShippedQueriesIT}'s, against this build's demo on loopback.
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

  @BeforeAll
  static void start() {
    // in parallel: they are independent until Prometheus scrapes
    Startables.deepStart(pushgateway, tinyllm, prometheus).join();
  }

  @AfterAll
  static void stop() {
    // no Ryuk here (its image would come from a registry), so everything is removed by hand
    prometheus.stop();
    tinyllm.stop();
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
            assertThat(api.query("tinyllm_system_info"))
                .extracting(s -> s.label("job"), s -> s.label("version"), s -> s.value())
                .containsExactlyInAnyOrder(
                    tuple("tinyllm", SystemInfoMetrics.version(), "1"),
                    tuple("tinyllm-it", SystemInfoMetrics.version(), "1")));
  }
}
