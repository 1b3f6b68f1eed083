package io.tinyllm.metrics.exporter;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Creates an exporter for the shared registry; bound by name in a Guice {@code MapBinder}. */
public interface MetricsExporterFactory {
  MetricsExporter create(PrometheusRegistry registry);
}
