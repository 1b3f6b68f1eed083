package io.tinyllm.metrics.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.metrics.testing.FreePorts;
import io.tinyllm.metrics.testing.PushgatewayProcess;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real Pushgateway started by the test on a free loopback port. */
class PushgatewayMetricsExporterTest {
  private static PushgatewayProcess gateway;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PushgatewayMetrics pushMetrics = new PushgatewayMetrics();
  private final Counter jobs =
      Counter.builder()
          .name("test_batch_items_total")
          .help("Items processed")
          .labelNames("status")
          .register(registry);

  @BeforeAll
  static void startGateway() {
    gateway = PushgatewayProcess.start();
  }

  @AfterAll
  static void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void pushedFamiliesAppearUnderTheJobAndGroupingKey() {
    jobs.labelValues("ok").inc(7);
    PushgatewayMetricsExporter exporter =
        exporter("job-a", Map.of("metrics.pushgateway.grouping-key", "env=test"));

    PushResult result = exporter.push();

    assertThat(result.success()).as(String.valueOf(result.message())).isTrue();
    assertThat(gateway.metricsText())
        .contains(
            "test_batch_items_total{env=\"test\",instance=\"\",job=\"job-a\",status=\"ok\"} 7");
    assertThat(pushMetrics.count("push", "success")).isEqualTo(1);
  }

  @Test
  void aSecondPushReplacesTheFirst() {
    Gauge items = Gauge.builder().name("test_replaced").help("Replaced").register(registry);
    PushgatewayMetricsExporter exporter = exporter("job-b", Map.of());
    items.set(1);
    assertThat(exporter.push().success()).isTrue();
    items.set(2);
    assertThat(exporter.push().success()).isTrue();

    String text = gateway.metricsText();
    assertThat(text).contains("test_replaced{instance=\"\",job=\"job-b\"} 2");
    assertThat(text).doesNotContain("test_replaced{instance=\"\",job=\"job-b\"} 1");
  }

  @Test
  void deleteRemovesTheJobsGroup() {
    jobs.labelValues("ok").inc();
    PushgatewayMetricsExporter exporter = exporter("job-c", Map.of());
    assertThat(exporter.push().success()).isTrue();
    assertThat(gateway.metricsText()).contains("job=\"job-c\"");

    assertThat(exporter.delete().success()).isTrue();

    assertThat(gateway.metricsText()).doesNotContain("job=\"job-c\"");
  }

  @Test
  void closingPushesOnceMore() {
    jobs.labelValues("late").inc(4);
    PushgatewayMetricsExporter exporter = exporter("job-d", Map.of());
    exporter.start();

    exporter.close();

    assertThat(gateway.metricsText())
        .contains("test_batch_items_total{instance=\"\",job=\"job-d\",status=\"late\"} 4");
  }

  @Test
  void pushesPeriodicallyWhenAnIntervalIsSet() throws Exception {
    jobs.labelValues("periodic").inc(2);
    // each push scrapes the registry, and the next one starts only after it ended (fixed delay):
    // at the third scrape two pushes are done
    CountDownLatch thirdScrape = new CountDownLatch(3);
    GaugeWithCallback.builder()
        .name("test_scrapes")
        .help("Counts the scrapes of the registry down")
        .callback(callback -> thirdScrape.countDown())
        .register(registry);
    PushgatewayMetricsExporter exporter =
        exporter(
            "job-f",
            Map.of(
                "metrics.pushgateway.interval", "50ms",
                "metrics.pushgateway.push-on-close", "false"));
    exporter.start();
    try {
      assertThat(thirdScrape.await(10, TimeUnit.SECONDS)).as("a third push began").isTrue();
      assertThat(pushMetrics.count("push", "success")).isGreaterThanOrEqualTo(2);
      assertThat(gateway.metricsText())
          .contains("test_batch_items_total{instance=\"\",job=\"job-f\",status=\"periodic\"} 2");
    } finally {
      exporter.close();
    }
  }

  @Test
  void onlyTheListedFamiliesArePushed() {
    jobs.labelValues("ok").inc(3);
    Gauge loaded = Gauge.builder().name("test_models_loaded").help("Loaded").register(registry);
    loaded.set(2);
    Info.builder()
        .name("test_system_info")
        .help("Info")
        .labelNames("version")
        .register(registry)
        .addLabelValues("1.0");
    Gauge duration = Gauge.builder().name("test_batch_seconds").help("Took").register(registry);
    duration.set(1.5);
    PushgatewayMetricsExporter exporter =
        exporter(
            "job-g",
            Map.of("metrics.pushgateway.families", "test_batch_items_total, test_batch_sec*"));

    assertThat(exporter.push().success()).isTrue();

    assertThat(
            gateway
                .metricsText()
                .lines()
                .filter(l -> l.startsWith("test_") && l.contains("job=\"job-g\"")))
        .containsExactlyInAnyOrder(
            "test_batch_items_total{instance=\"\",job=\"job-g\",status=\"ok\"} 3",
            "test_batch_seconds{instance=\"\",job=\"job-g\"} 1.5");
  }

  @Test
  void anUnreachableGatewayIsAReportedFailureNotAnException() {
    Map<String, String> settings = new HashMap<>();
    settings.put("metrics.pushgateway.address", "127.0.0.1:" + FreePorts.find());
    settings.put("metrics.pushgateway.timeout", "2s");
    PushgatewayMetricsExporter exporter = exporter("job-e", settings);

    PushResult result = exporter.push();

    assertThat(result.success()).isFalse();
    assertThat(result.message()).contains("job 'job-e'").contains("failed");
    assertThat(pushMetrics.count("push", "failure")).isEqualTo(1);
  }

  @Test
  void aJobNameIsRequired() {
    PushgatewayConfig config =
        PushgatewayConfig.from(
            Settings.of(Map.of("metrics.pushgateway.address", gateway.address())));
    PushgatewayMetricsExporter exporter =
        new PushgatewayMetricsExporter(registry, config, pushMetrics);

    assertThatThrownBy(exporter::start)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("metrics.pushgateway.job");
  }

  private PushgatewayMetricsExporter exporter(String job, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>();
    settings.put("metrics.pushgateway.address", gateway.address());
    settings.put("metrics.pushgateway.job", job);
    settings.putAll(extra);
    return new PushgatewayMetricsExporter(
        registry, PushgatewayConfig.from(Settings.of(settings)), pushMetrics);
  }
}
