package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The cache's metrics, recorded by the backends and the caching client; methods are named for what
 * happened so call sites never see label plumbing. {@code cache_type} is the backend's {@link
 * io.tinyllm.api.cache.ResponseCache#type()} ({@code memory}, {@code redis}).
 *
 * <pre>{@code
 * metrics.hit("memory");
 * metrics.miss("redis");
 * metrics.error("redis", "get");
 * }</pre>
 *
 * <p>After one memory hit, one memory miss and one Redis miss caused by a failed lookup:
 *
 * <pre>
 * tinyllm_cache_hits_total{cache_type="memory"} 1.0
 * tinyllm_cache_misses_total{cache_type="memory"} 1.0
 * tinyllm_cache_misses_total{cache_type="redis"} 1.0
 * tinyllm_cache_errors_total{cache_type="redis",operation="get"} 1.0
 * </pre>
 */
@Singleton
public final class CacheMetrics implements MetricSet {
  /** Lookup latency buckets: a local map answers in microseconds, a remote store in millis. */
  static final double[] LOOKUP_BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0
  };

  private final Map<String, LongSupplier> sizes = new ConcurrentHashMap<>();

  private final Counter hits =
      Counter.builder()
          .name("tinyllm_cache_hits_total")
          .help("Cache lookups that found a stored response")
          .labelNames("cache_type")
          .build();
  private final Counter misses =
      Counter.builder()
          .name("tinyllm_cache_misses_total")
          .help("Cache lookups that found nothing, including lookups that failed")
          .labelNames("cache_type")
          .build();
  private final Counter stores =
      Counter.builder()
          .name("tinyllm_cache_stores_total")
          .help("Responses written to the cache")
          .labelNames("cache_type")
          .build();
  private final Counter skips =
      Counter.builder()
          .name("tinyllm_cache_skips_total")
          .help(
              "Requests that did not read the cache, by reason (bypass, refresh, nondeterministic)")
          .labelNames("cache_type", "reason")
          .build();
  private final Counter coalesced =
      Counter.builder()
          .name("tinyllm_cache_coalesced_total")
          .help(
              "Missed requests that did not ask the model because an identical request was asking it")
          .labelNames("cache_type")
          .build();
  private final Counter evictions =
      Counter.builder()
          .name("tinyllm_cache_evictions_total")
          .help("Entries the cache evicted, by cause (size, expired, collected)")
          .labelNames("cache_type", "cause")
          .build();
  private final Counter errors =
      Counter.builder()
          .name("tinyllm_cache_errors_total")
          .help("Cache operations that failed; the request went on without the cache")
          .labelNames("cache_type", "operation")
          .build();
  private final Histogram lookupDuration =
      Histogram.builder()
          .name("tinyllm_cache_lookup_duration_seconds")
          .help("Time a cache lookup took, hit, miss or failure")
          .labelNames("cache_type")
          .classicOnly()
          .classicUpperBounds(LOOKUP_BUCKETS)
          .build();
  private final GaugeWithCallback entries =
      GaugeWithCallback.builder()
          .name("tinyllm_cache_entries")
          .help("Entries currently held, for backends that can tell cheaply")
          .labelNames("cache_type")
          .callback(
              callback ->
                  sizes.forEach(
                      (type, size) -> {
                        long value = size.getAsLong();
                        if (value >= 0) {
                          callback.call(value, type);
                        }
                      }))
          .build();

  /**
   * A cache of {@code cacheType} was created: its hits, misses, stores and lookups, the eviction
   * causes and failing operations it can report are exposed at 0 from now on, so the first of each
   * is an increase to {@code rate()} rather than a series born at 1.
   */
  public void cacheCreated(
      String cacheType, List<String> evictionCauses, List<String> errorOperations) {
    requireNonNull(cacheType, "cacheType is null");
    hits.labelValues(cacheType);
    misses.labelValues(cacheType);
    stores.labelValues(cacheType);
    lookupDuration.labelValues(cacheType);
    evictionCauses.forEach(cause -> evictions.labelValues(cacheType, cause));
    errorOperations.forEach(operation -> errors.labelValues(cacheType, operation));
  }

  public void hit(String cacheType) {
    hits.labelValues(cacheType).inc();
  }

  public void miss(String cacheType) {
    misses.labelValues(cacheType).inc();
  }

  public void stored(String cacheType) {
    stores.labelValues(cacheType).inc();
  }

  /** A request went past the cache's read for {@code reason}. */
  public void skipped(String cacheType, String reason) {
    skips.labelValues(cacheType, reason).inc();
  }

  /** A missed request did not ask the model: an identical request was asking it. */
  public void coalesced(String cacheType) {
    coalesced.labelValues(cacheType).inc();
  }

  public void evicted(String cacheType, String cause) {
    evictions.labelValues(cacheType, cause).inc();
  }

  public void error(String cacheType, String operation) {
    errors.labelValues(cacheType, operation).inc();
  }

  public void lookedUp(String cacheType, Duration duration) {
    lookupDuration.labelValues(cacheType).observe(duration.toNanos() / 1e9);
  }

  /**
   * Reports {@code size} as {@code tinyllm_cache_entries{cache_type}} at each scrape; a negative
   * value leaves the series out.
   */
  public void trackEntries(String cacheType, LongSupplier size) {
    sizes.put(requireNonNull(cacheType, "cacheType is null"), requireNonNull(size, "size is null"));
  }

  @Override
  public List<Collector> collectors() {
    return List.of(
        hits, misses, stores, skips, coalesced, evictions, errors, lookupDuration, entries);
  }
}
