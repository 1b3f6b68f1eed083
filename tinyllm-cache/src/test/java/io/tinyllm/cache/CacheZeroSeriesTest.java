package io.tinyllm.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.metrics.testing.Exposition;
import org.junit.jupiter.api.Test;

/** A cache's series exist at 0 from its creation on, so rate() sees its first hit and eviction. */
class CacheZeroSeriesTest {
  @Test
  void aNewMemoryCacheExposesItsCountsAndEvictionCausesAtZero() {
    CacheMetrics metrics = new CacheMetrics();
    PrometheusRegistry registry = TestRegistries.with(metrics);

    new CaffeineResponseCache(CacheConfig.defaults(), metrics, () -> 0L);

    assertThat(
            Exposition.text(
                registry,
                "tinyllm_cache_hits",
                "tinyllm_cache_misses",
                "tinyllm_cache_stores",
                "tinyllm_cache_evictions"))
        .isEqualTo(
            """
            # HELP tinyllm_cache_evictions_total Entries the cache evicted, by cause (size, expired, collected)
            # TYPE tinyllm_cache_evictions_total counter
            tinyllm_cache_evictions_total{cache_type="memory",cause="expired"} 0.0
            tinyllm_cache_evictions_total{cache_type="memory",cause="size"} 0.0
            # HELP tinyllm_cache_hits_total Cache lookups that found a stored response
            # TYPE tinyllm_cache_hits_total counter
            tinyllm_cache_hits_total{cache_type="memory"} 0.0
            # HELP tinyllm_cache_misses_total Cache lookups that found nothing, including lookups that failed
            # TYPE tinyllm_cache_misses_total counter
            tinyllm_cache_misses_total{cache_type="memory"} 0.0
            # HELP tinyllm_cache_stores_total Responses written to the cache
            # TYPE tinyllm_cache_stores_total counter
            tinyllm_cache_stores_total{cache_type="memory"} 0.0
            """);
  }
}
