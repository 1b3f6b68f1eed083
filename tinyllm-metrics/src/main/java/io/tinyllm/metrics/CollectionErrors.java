package io.tinyllm.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.Collector;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts metric sets that failed during a scrape ({@code tinyllm_metrics_collection_errors_total
 * {set}}) and logs each failing set at most once a minute.
 */
@Singleton
final class CollectionErrors implements MetricSet, CollectionFailureHandler {
  private static final Logger log = LoggerFactory.getLogger(CollectionErrors.class);
  private static final long LOG_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

  private final Counter errors =
      Counter.builder()
          .name("tinyllm_metrics_collection_errors_total")
          .help("Scrapes in which a metric set failed and was left out")
          .labelNames("set")
          .build();
  private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

  /** Exposes {@code set}'s count at 0, so its first failure is an increase, not a new series. */
  void watching(MetricSet set) {
    errors.labelValues(set.setName());
  }

  @Override
  public void collectionFailed(MetricSet set, Throwable failure) {
    errors.labelValues(set.setName()).inc();
    long now = System.nanoTime();
    Long previous = lastLogged.get(set.setName());
    if (previous == null || now - previous >= LOG_INTERVAL_NANOS) {
      lastLogged.put(set.setName(), now);
      log.warn(
          "Metric set {} failed during a scrape and was left out (logged at most once a minute)",
          set.setName(),
          failure);
    }
  }

  /** Scrapes in which {@code setName} failed so far. */
  long count(String setName) {
    return (long) errors.labelValues(setName).get();
  }

  @Override
  public List<Collector> collectors() {
    return List.of(errors);
  }
}
