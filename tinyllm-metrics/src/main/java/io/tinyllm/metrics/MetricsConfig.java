package io.tinyllm.metrics;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.metrics.exporter.PushgatewayConfig;
import java.util.List;

/**
 * Settings of the metrics module.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@code metrics.exporters}</td><td>none; comma-separated {@code http}, {@code pushgateway}</td></tr>
 *   <tr><td>{@code metrics.labels.max-values}</td><td>{@value #DEFAULT_LABEL_MAX_VALUES}</td></tr>
 *   <tr><td>{@code metrics.labels.max-length}</td><td>{@value #DEFAULT_LABEL_MAX_LENGTH}</td></tr>
 *   <tr><td>{@code metrics.jvm.enabled}</td><td>{@code false}</td></tr>
 * </table>
 *
 * <p>and those of {@link HttpExporterConfig} and {@link PushgatewayConfig}.
 */
public record MetricsConfig(
    List<String> exporters,
    int labelMaxValues,
    int labelMaxLength,
    boolean jvmMetrics,
    HttpExporterConfig http,
    PushgatewayConfig pushgateway) {

  public static final String EXPORTERS = "metrics.exporters";
  public static final String LABEL_MAX_VALUES = "metrics.labels.max-values";
  public static final String LABEL_MAX_LENGTH = "metrics.labels.max-length";
  public static final String JVM_ENABLED = "metrics.jvm.enabled";

  public static final int DEFAULT_LABEL_MAX_VALUES = 100;
  public static final int DEFAULT_LABEL_MAX_LENGTH = 128;

  public MetricsConfig {
    exporters = List.copyOf(requireNonNull(exporters, "exporters is null"));
    requireNonNull(http, "http is null");
    requireNonNull(pushgateway, "pushgateway is null");
  }

  public static MetricsConfig defaults() {
    return from(Settings.empty());
  }

  public static MetricsConfig from(Settings settings) {
    return new MetricsConfig(
        settings.getList(EXPORTERS, List.of()),
        settings.getInt(LABEL_MAX_VALUES, DEFAULT_LABEL_MAX_VALUES, 1, 100_000),
        settings.getInt(LABEL_MAX_LENGTH, DEFAULT_LABEL_MAX_LENGTH, 1, 10_000),
        settings.getBoolean(JVM_ENABLED, false),
        HttpExporterConfig.from(settings),
        PushgatewayConfig.from(settings));
  }
}
