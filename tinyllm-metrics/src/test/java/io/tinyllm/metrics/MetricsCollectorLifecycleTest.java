package io.tinyllm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.exporter.ExporterException;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsCollectorLifecycleTest {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void startsTheExportersNamedInSettingsAndStopsThemOnClose() throws Exception {
    MetricsCollector collector =
        collector(Map.of("metrics.exporters", "http", "metrics.http.port", "0"));

    collector.start();
    HttpMetricsExporter exporter = collector.exporter(HttpMetricsExporter.class).orElseThrow();
    URI uri = exporter.uri();
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("tinyllm_system_info{");

    collector.close();

    assertThat(collector.exporter(HttpMetricsExporter.class)).isEmpty();
    assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void noExporterRunsUnlessAsked() {
    MetricsCollector collector = collector(Map.of());

    collector.start();

    assertThat(collector.exporter(HttpMetricsExporter.class)).isEmpty();
    collector.close();
  }

  @Test
  void anUnknownExporterNameListsTheKnownOnes() {
    MetricsCollector collector = collector(Map.of("metrics.exporters", "statsd"));

    assertThatThrownBy(collector::start)
        .isInstanceOf(ExporterException.class)
        .hasMessage(
            "Unknown metrics exporter 'statsd' (setting 'metrics.exporters'); known exporters:"
                + " [http, pushgateway]");
  }

  @Test
  void jvmMetricsAreOptional() {
    assertThat(collector(Map.of()).scrapeText()).doesNotContain("jvm_memory");
    assertThat(collector(Map.of("metrics.jvm.enabled", "true")).scrapeText())
        .contains("jvm_memory_used_bytes");
  }

  private static MetricsCollector collector(Map<String, String> settings) {
    Injector injector =
        Guice.createInjector(Settings.module(Settings.of(settings)), new MetricsModule());
    return injector.getInstance(MetricsCollector.class);
  }
}
