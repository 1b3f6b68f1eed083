package io.tinyllm.metrics.exporter;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.metrics.MetricsConfig;
import jakarta.inject.Inject;

/** Creates the {@code http} exporter from {@link MetricsConfig#http()}. */
public final class HttpExporterFactory implements MetricsExporterFactory {
  private final MetricsConfig config;

  @Inject
  public HttpExporterFactory(MetricsConfig config) {
    this.config = requireNonNull(config, "config is null");
  }

  @Override
  public MetricsExporter create(PrometheusRegistry registry) {
    return new HttpMetricsExporter(registry, config.http());
  }
}
