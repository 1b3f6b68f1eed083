package io.tinyllm.cache;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** A fresh registry holding one {@link CacheMetrics}, as the metrics module would register it. */
final class TestRegistries {
  static final String[] FAMILIES = {
    "tinyllm_cache_hits",
    "tinyllm_cache_misses",
    "tinyllm_cache_stores",
    "tinyllm_cache_skips",
    "tinyllm_cache_evictions",
    "tinyllm_cache_errors",
    "tinyllm_cache_lookup_duration_seconds",
    "tinyllm_cache_entries"
  };

  private TestRegistries() {}

  static PrometheusRegistry with(CacheMetrics metrics) {
    PrometheusRegistry registry = new PrometheusRegistry();
    for (Collector collector : metrics.collectors()) {
      registry.register(collector);
    }
    return registry;
  }
}
