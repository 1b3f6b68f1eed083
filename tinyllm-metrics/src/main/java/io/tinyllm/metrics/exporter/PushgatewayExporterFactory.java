package io.tinyllm.metrics.exporter;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.metrics.MetricsConfig;
import jakarta.inject.Inject;

/** Creates the {@code pushgateway} exporter from {@link MetricsConfig#pushgateway()}. */
public final class PushgatewayExporterFactory implements MetricsExporterFactory {
  private final MetricsConfig config;
  private final PushgatewayMetrics metrics;

  @Inject
  public PushgatewayExporterFactory(MetricsConfig config, PushgatewayMetrics metrics) {
    this.config = requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  @Override
  public MetricsExporter create(PrometheusRegistry registry) {
    return new PushgatewayMetricsExporter(registry, config.pushgateway(), metrics);
  }
}
