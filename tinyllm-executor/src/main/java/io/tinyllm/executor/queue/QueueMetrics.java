package io.tinyllm.executor.queue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Queue metrics. Every submission counts in {@code tinyllm_queue_requests_total{priority}} and ends
 * in exactly one {@code tinyllm_queue_outcomes_total{priority,outcome}} (completed, failed,
 * timed_out, rejected); rejections also count in {@code tinyllm_queue_requests_rejected_total}.
 *
 * <pre>
 * tinyllm_queue_requests_total{priority="high"} 1.0
 * tinyllm_queue_outcomes_total{outcome="completed",priority="high"} 1.0
 * tinyllm_queue_size{priority="all"} 0.0
 * </pre>
 */
@Singleton
public final class QueueMetrics implements MetricSet {
  static final double[] WAIT_BUCKETS = {.001, .01, .05, .1, .5, 1, 5, 10, 30, 60, 120, 300};
  static final String ALL = "all";

  private final Gauge size =
      Gauge.builder()
          .name("tinyllm_queue_size")
          .help("Requests waiting, by priority (high, normal, low) and in all")
          .labelNames("priority")
          .build();
  private final Histogram waitTime =
      Histogram.builder()
          .name("tinyllm_queue_wait_time_seconds")
          .help("Time requests waited in the queue before a worker took them")
          .labelNames("priority")
          .classicOnly()
          .classicUpperBounds(WAIT_BUCKETS)
          .build();
  private final Histogram runTime =
      Histogram.builder()
          .name("tinyllm_queue_run_time_seconds")
          .help("Time requests ran on a worker")
          .labelNames("priority")
          .classicOnly()
          .classicUpperBounds(WAIT_BUCKETS)
          .build();
  private final Counter requests =
      Counter.builder()
          .name("tinyllm_queue_requests_total")
          .help("Requests submitted, by priority, rejected ones included")
          .labelNames("priority")
          .build();
  private final Counter rejected =
      Counter.builder()
          .name("tinyllm_queue_requests_rejected_total")
          .help("Requests rejected: queue full, shutting down, or dropped at shutdown")
          .build();
  private final Counter outcomes =
      Counter.builder()
          .name("tinyllm_queue_outcomes_total")
          .help("Requests by how they ended: completed, failed, timed_out, rejected")
          .labelNames("priority", "outcome")
          .build();
  private final Gauge activeWorkers =
      Gauge.builder()
          .name("tinyllm_queue_active_workers")
          .help("Workers running a request now")
          .build();

  public QueueMetrics() {
    for (Priority p : Priority.values()) {
      size.labelValues(p.label()).set(0);
    }
    size.labelValues(ALL).set(0);
    rejected.inc(0);
    activeWorkers.set(0);
  }

  void submitted(Priority priority) {
    requests.labelValues(priority.label()).inc();
  }

  void enqueued(Priority priority) {
    size.labelValues(priority.label()).inc();
    size.labelValues(ALL).inc();
  }

  void dequeued(Priority priority, double waitedSeconds) {
    size.labelValues(priority.label()).dec();
    size.labelValues(ALL).dec();
    waitTime.labelValues(priority.label()).observe(waitedSeconds);
  }

  void removedUnrun(Priority priority) {
    size.labelValues(priority.label()).dec();
    size.labelValues(ALL).dec();
  }

  void started() {
    activeWorkers.inc();
  }

  void ran(Priority priority, double seconds) {
    activeWorkers.dec();
    runTime.labelValues(priority.label()).observe(seconds);
  }

  void ended(Priority priority, QueueOutcome outcome) {
    if (outcome == QueueOutcome.REJECTED) {
      rejected.inc();
    }
    outcomes.labelValues(priority.label(), outcome.label()).inc();
  }

  /** Requests of {@code priority} that ended with {@code outcome} so far. */
  public long count(Priority priority, QueueOutcome outcome) {
    return (long) outcomes.labelValues(priority.label(), outcome.label()).get();
  }

  @Override
  public List<Collector> collectors() {
    return List.of(size, waitTime, runTime, requests, rejected, outcomes, activeWorkers);
  }
}
