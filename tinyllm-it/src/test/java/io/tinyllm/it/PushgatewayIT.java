package io.tinyllm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Module;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.config.Settings;
import io.tinyllm.it.containers.PushgatewayContainer;
import io.tinyllm.it.support.Http;
import io.tinyllm.it.support.RequiresDocker;
import io.tinyllm.metrics.MetricSet;
import io.tinyllm.metrics.MetricsBinder;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.MetricsModule;
import io.tinyllm.metrics.SystemInfoMetrics;
import io.tinyllm.metrics.exporter.PushResult;
import io.tinyllm.metrics.exporter.PushgatewayConfig;
import io.tinyllm.metrics.exporter.PushgatewayMetricsExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@link MetricsCollector} pushing through {@link PushgatewayMetricsExporter} to a real
 * Pushgateway, read back from the gateway's own {@code /metrics}. Every test starts with a push,
 * which replaces whatever an earlier test left under the job.
 */
@RequiresDocker
@Testcontainers
class PushgatewayIT {
  private static final String JOB = "tinyllm-it";
  private static final Pattern ZERO_COUNTER = Pattern.compile("^\\w+_total\\{.*} 0$");
  private static final Pattern TIME_VALUE =
      Pattern.compile("^(\\w+_timestamp_seconds\\{.*}) \\S+$");

  @Container static final PushgatewayContainer pushgateway = new PushgatewayContainer();

  @Test
  void aPushStoresTheRegistryUnderTheJob() throws Exception {
    try (MetricsCollector collector = collector()) {
      assertSucceeded(exporter(collector).push());
    }

    assertThat(storedSeries()).isEqualTo(systemInfoSeries());
  }

  @Test
  void aSecondPushReplacesTheFirstInsteadOfAddingToIt() throws Exception {
    try (MetricsCollector first =
        collector(
            binder -> MetricsBinder.metricsBinder(binder).bindInstance(new MarkerMetrics()))) {
      assertSucceeded(exporter(first).push());
    }
    assertThat(storedSeries())
        .isEqualTo("tinyllm_it_marker{instance=\"\",job=\"tinyllm-it\"} 1\n" + systemInfoSeries());

    // a new run of the job, without the marker family: a push (PUT) drops what it no longer has
    try (MetricsCollector second = collector()) {
      PushgatewayMetricsExporter exporter = exporter(second);
      assertSucceeded(exporter.push());
      assertSucceeded(exporter.push());
    }

    // no marker, one system info, and the count the second push carried of the first
    assertThat(storedSeries())
        .isEqualTo(
            """
            tinyllm_pushgateway_last_success_timestamp_seconds{instance="",job="tinyllm-it"} <time>
            tinyllm_pushgateway_pushes_total{instance="",job="tinyllm-it",operation="push",outcome="success"} 1
            """
                + systemInfoSeries());
  }

  private static String systemInfoSeries() {
    return """
        tinyllm_system_info{app="tinyllm",instance="",java_version="%s",job="tinyllm-it",plugins="",version="%s"} 1
        """
        .formatted(System.getProperty("java.version"), SystemInfoMetrics.version());
  }

  private static MetricsCollector collector(Module... plugins) {
    Settings settings =
        Settings.of(
            Map.of(
                PushgatewayConfig.ADDRESS,
                pushgateway.address(),
                PushgatewayConfig.JOB,
                JOB,
                // the tests push explicitly; a push on close would blur what each one sent
                PushgatewayConfig.PUSH_ON_CLOSE,
                "false"));
    List<Module> modules = new ArrayList<>(List.of(Settings.module(settings), new MetricsModule()));
    modules.addAll(List.of(plugins));
    return Guice.createInjector(modules).getInstance(MetricsCollector.class);
  }

  private static PushgatewayMetricsExporter exporter(MetricsCollector collector) {
    return (PushgatewayMetricsExporter) collector.start(PushgatewayMetricsExporter.NAME);
  }

  private static void assertSucceeded(PushResult result) {
    assertThat(result.success()).as("push failed: %s", result.message()).isTrue();
  }

  /**
   * The gateway's series of our families under the job, in its (sorted) order, with times shown as
   * {@code <time>}.
   */
  private static String storedSeries() throws Exception {
    return Http.get(pushgateway.url() + "/metrics")
        .lines()
        .filter(line -> line.startsWith("tinyllm_") && line.contains("job=\"" + JOB + "\""))
        // counters exist at 0 ahead of their first event; only what a run recorded counts here
        .filter(line -> !ZERO_COUNTER.matcher(line).matches())
        .map(line -> TIME_VALUE.matcher(line).replaceFirst("$1 <time>") + "\n")
        .collect(Collectors.joining());
  }

  /** A family only the first run has. */
  private static final class MarkerMetrics implements MetricSet {
    private final Gauge marker =
        Gauge.builder().name("tinyllm_it_marker").help("Pushed by the first run only").build();

    MarkerMetrics() {
      marker.set(1);
    }

    @Override
    public List<Collector> collectors() {
      return List.of(marker);
    }
  }
}
