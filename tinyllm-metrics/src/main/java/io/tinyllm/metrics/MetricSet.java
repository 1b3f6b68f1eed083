package io.tinyllm.metrics;

import io.prometheus.metrics.model.registry.Collector;
import java.util.List;

/**
 * A plug-in's metrics: the collectors one component owns, built unregistered and contributed with
 * {@link MetricsBinder}. {@link MetricsCollector} registers every contributed set once in the
 * shared registry, refuses two sets that claim the same metric name, and skips (and counts) a set
 * whose collection throws so the others still scrape.
 *
 * <pre>{@code
 * @Singleton
 * public final class CacheMetrics implements MetricSet {
 *   private final Counter hits = Counter.builder()
 *       .name("tinyllm_cache_hits_total").help("Cache hits").labelNames("cache_type").build();
 *
 *   public void hit(String cacheType) { hits.labelValues(cacheType).inc(); }
 *
 *   public List<Collector> collectors() { return List.of(hits); }
 * }
 * }</pre>
 *
 * <p>Build collectors with {@code .build()}, never {@code .register()}: registration is the
 * collector's job. Histograms that keep a family of the Python project use {@code classicOnly()}
 * with its bucket boundaries so dashboards querying {@code _bucket} keep working.
 */
public interface MetricSet {
  /** The collectors of this set, in a stable order. Called once, at registration. */
  List<? extends Collector> collectors();

  /** A short stable name for diagnostics and the {@code set} label; the class name by default. */
  default String setName() {
    return getClass().getSimpleName();
  }
}
