package io.tinyllm.proxy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;

/**
 * The optional admission queue's own families ({@code proxy.admission.enabled}): requests waiting
 * for a place on a backend, how long each waited, and those refused after {@code
 * proxy.admission.max-wait}. {@code backend} is a configured name (as in {@link FleetMetrics}) and
 * {@code priority} one of {@code high}, {@code normal}, {@code low}, so the series are bounded by
 * the configuration; each exists at zero from the start when the queue is on, and none when it is
 * off.
 *
 * <p>With one request admitted at once and one refused on backend {@code gpu-1}:
 *
 * <pre>
 * tinyllm_proxy_admission_waiting{backend="gpu-1",priority="normal"} 0.0
 * tinyllm_proxy_admission_wait_seconds_count{backend="gpu-1",priority="normal"} 2
 * tinyllm_proxy_admission_rejected_total{backend="gpu-1",priority="normal"} 1.0
 * </pre>
 */
@Singleton
public final class AdmissionMetrics implements MetricSet {
  /** The seed queue's wait buckets ({@code tinyllm_queue_wait_time_seconds}), and 120 s, 300 s. */
  static final double[] WAIT_BUCKETS = {0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300};

  private final Gauge waiting =
      Gauge.builder()
          .name("tinyllm_proxy_admission_waiting")
          .help("Requests waiting in the proxy for a place on a backend, by priority")
          .labelNames("backend", "priority")
          .build();
  private final Histogram waitTime =
      Histogram.builder()
          .name("tinyllm_proxy_admission_wait_seconds")
          .help("Time a request waited for a place on a backend, admitted or refused")
          .labelNames("backend", "priority")
          .classicOnly()
          .classicUpperBounds(WAIT_BUCKETS)
          .build();
  private final Counter rejected =
      Counter.builder()
          .name("tinyllm_proxy_admission_rejected_total")
          .help("Requests refused with a 503 after waiting proxy.admission.max-wait for a place")
          .labelNames("backend", "priority")
          .build();

  @Override
  public List<Collector> collectors() {
    return List.of(waiting, waitTime, rejected);
  }

  /** Makes {@code backend}'s series exist, at zero, for every priority. */
  void add(String backend) {
    for (Priority priority : Priority.values()) {
      waiting.labelValues(backend, priority.label());
      waitTime.labelValues(backend, priority.label());
      rejected.labelValues(backend, priority.label());
    }
  }

  void startedWaiting(String backend, Priority priority) {
    waiting.labelValues(backend, priority.label()).inc();
  }

  /** A request stopped waiting after {@code waited}: admitted, refused, or interrupted. */
  void stoppedWaiting(String backend, Priority priority, Duration waited, boolean refused) {
    waiting.labelValues(backend, priority.label()).dec();
    waitTime.labelValues(backend, priority.label()).observe(waited.toNanos() / 1e9);
    if (refused) {
      rejected.labelValues(backend, priority.label()).inc();
    }
  }
}
