package io.tinyllm.metrics;

import static io.tinyllm.metrics.MetricsBinder.metricsBinder;

import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.OptionalBinder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.spi.InstalledPlugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.metrics.exporter.HttpExporterFactory;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import io.tinyllm.metrics.exporter.MetricsExporterFactory;
import io.tinyllm.metrics.exporter.PushgatewayExporterFactory;
import io.tinyllm.metrics.exporter.PushgatewayMetrics;
import io.tinyllm.metrics.exporter.PushgatewayMetricsExporter;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The metrics plug-in: one shared {@link PrometheusRegistry}, the {@link MetricsCollector} that
 * registers every contributed {@link MetricSet} in it, the {@link LabelGuard}, {@code
 * tinyllm_system_info}, and the exporters by name ({@code http}, {@code pushgateway}).
 */
public final class MetricsModule implements TinyLlmModule {
  @Override
  public String name() {
    return "metrics";
  }

  @Override
  public KnownSettings knownSettings() {
    return KnownSettings.readBy(
        List.of("metrics."),
        settings -> {
          MetricsConfig.from(settings);
          TinyLlm.closeTimeout(settings);
        });
  }

  @Override
  public void configure(Binder binder) {
    MetricsBinder.declare(binder);
    OptionalBinder.newOptionalBinder(binder, Settings.class)
        .setDefault()
        .toInstance(Settings.empty());
    OptionalBinder.newOptionalBinder(binder, InstalledPlugins.class)
        .setDefault()
        .toInstance(InstalledPlugins.none());

    metricsBinder(binder)
        .bind(LabelGuard.class)
        .bind(SystemInfoMetrics.class)
        .bind(CollectionErrors.class)
        .bind(PushgatewayMetrics.class);

    MapBinder<String, MetricsExporterFactory> exporters =
        MapBinder.newMapBinder(binder, String.class, MetricsExporterFactory.class);
    exporters.addBinding(HttpMetricsExporter.NAME).to(HttpExporterFactory.class);
    exporters.addBinding(PushgatewayMetricsExporter.NAME).to(PushgatewayExporterFactory.class);

    binder.bind(MetricsCollector.class).asEagerSingleton();
  }

  @Provides
  @Singleton
  PrometheusRegistry registry() {
    // one registry per injector; never the global default registry
    return new PrometheusRegistry();
  }

  @Provides
  @Singleton
  MetricsConfig config(Settings settings) {
    return MetricsConfig.from(settings);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricsModule;
  }

  @Override
  public int hashCode() {
    return MetricsModule.class.hashCode();
  }
}
