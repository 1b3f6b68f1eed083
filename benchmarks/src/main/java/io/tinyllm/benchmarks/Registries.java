package io.tinyllm.benchmarks;

import static io.tinyllm.metrics.MetricsBinder.metricsBinder;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.metrics.MetricSet;
import io.tinyllm.metrics.MetricsModule;
import java.util.List;
import java.util.Set;

/** Registries to scrape: ours as the metrics plug-in builds it, and the library's bare one. */
final class Registries {
  private Registries() {}

  /** An injector of the metrics plug-in alone, plus {@code set}. */
  static Injector metricsOnly(MetricSet set) {
    return Guice.createInjector(
        Settings.module(Settings.empty()),
        Plugins.combine(List.of(new MetricsModule())),
        binder -> metricsBinder(binder).bindInstance(set));
  }

  /** Every metric set the injector's plug-ins contributed. */
  static Set<MetricSet> metricSets(Injector injector) {
    return injector.getInstance(Key.get(new TypeLiteral<Set<MetricSet>>() {}));
  }

  /**
   * The same collectors as {@code sets}, registered one by one in a fresh registry: what
   * client_java alone would scrape, without our per-set wrapping.
   */
  static PrometheusRegistry bare(Set<MetricSet> sets) {
    PrometheusRegistry registry = new PrometheusRegistry();
    for (MetricSet set : sets) {
      for (Collector collector : set.collectors()) {
        registry.register(collector);
      }
    }
    return registry;
  }
}
