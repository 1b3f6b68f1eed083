package io.tinyllm.executor.queue;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Queue metrics. Every submission counts in {@code tinyllm_queue_requests_total{priority}} and ends
 * in exactly one {@code tinyllm_queue_outcomes_total{priority,outcome}} (completed, failed,
 * timed_out, rejected); rejections also count in {@code tinyllm_queue_requests_rejected_total}. A
 * worker that an {@link Error} ended counts in {@code tinyllm_queue_worker_deaths_total}.
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
  private final Counter workerDeaths =
      Counter.builder()
          .name("tinyllm_queue_worker_deaths_total")
          .help("Workers ended by an Error a request threw; each is replaced")
          .build();
  private final Gauge activeWorkers =
      Gauge.builder()
          .name("tinyllm_queue_active_workers")
          .help("Workers running a request now")
          .build();

  // data points resolved once: the hot path makes no labelValues lookups
  private static final int PRIORITIES = Priority.values().length;
  private static final int OUTCOMES = QueueOutcome.values().length;
  private final GaugeDataPoint[] sizePoints = new GaugeDataPoint[PRIORITIES];
  private final GaugeDataPoint sizeAll;
  private final AtomicReferenceArray<CounterDataPoint> requestPoints =
      new AtomicReferenceArray<>(PRIORITIES);
  private final AtomicReferenceArray<DistributionDataPoint> waitPoints =
      new AtomicReferenceArray<>(PRIORITIES);
  private final AtomicReferenceArray<DistributionDataPoint> runPoints =
      new AtomicReferenceArray<>(PRIORITIES);
  private final AtomicReferenceArray<CounterDataPoint> outcomePoints =
      new AtomicReferenceArray<>(PRIORITIES * OUTCOMES);

  public QueueMetrics() {
    for (Priority p : Priority.values()) {
      sizePoints[p.ordinal()] = size.labelValues(p.label());
      sizePoints[p.ordinal()].set(0);
    }
    sizeAll = size.labelValues(ALL);
    sizeAll.set(0);
    // every priority's counts and times at 0 from the start, so the first of each is an increase
    for (Priority p : Priority.values()) {
      requestPoints.set(p.ordinal(), requests.labelValues(p.label()));
      waitPoints.set(p.ordinal(), waitTime.labelValues(p.label()));
      runPoints.set(p.ordinal(), runTime.labelValues(p.label()));
      for (QueueOutcome o : QueueOutcome.values()) {
        outcome(p, o);
      }
    }
    rejected.inc(0);
    workerDeaths.inc(0);
    activeWorkers.set(0);
  }

  void submitted(Priority priority) {
    int i = priority.ordinal();
    CounterDataPoint point = requestPoints.get(i);
    if (point == null) {
      point = requests.labelValues(priority.label());
      requestPoints.set(i, point);
    }
    point.inc();
  }

  void enqueued(Priority priority) {
    sizePoints[priority.ordinal()].inc();
    sizeAll.inc();
  }

  void dequeued(Priority priority, double waitedSeconds) {
    sizePoints[priority.ordinal()].dec();
    sizeAll.dec();
    histogram(waitPoints, waitTime, priority).observe(waitedSeconds);
  }

  void removedUnrun(Priority priority) {
    sizePoints[priority.ordinal()].dec();
    sizeAll.dec();
  }

  void started() {
    activeWorkers.inc();
  }

  void ran(Priority priority, double seconds) {
    activeWorkers.dec();
    histogram(runPoints, runTime, priority).observe(seconds);
  }

  void workerDied() {
    workerDeaths.inc();
  }

  void ended(Priority priority, QueueOutcome outcome) {
    if (outcome == QueueOutcome.REJECTED) {
      rejected.inc();
    }
    outcome(priority, outcome).inc();
  }

  /** Requests of {@code priority} that ended with {@code outcome} so far. */
  public long count(Priority priority, QueueOutcome outcome) {
    return (long) outcome(priority, outcome).get();
  }

  private CounterDataPoint outcome(Priority priority, QueueOutcome outcome) {
    int i = priority.ordinal() * OUTCOMES + outcome.ordinal();
    CounterDataPoint point = outcomePoints.get(i);
    if (point == null) {
      point = outcomes.labelValues(priority.label(), outcome.label());
      outcomePoints.set(i, point);
    }
    return point;
  }

  private static DistributionDataPoint histogram(
      AtomicReferenceArray<DistributionDataPoint> points, Histogram family, Priority priority) {
    int i = priority.ordinal();
    DistributionDataPoint point = points.get(i);
    if (point == null) {
      point = family.labelValues(priority.label());
      points.set(i, point);
    }
    return point;
  }

  @Override
  public List<Collector> collectors() {
    return List.of(
        size, waitTime, runTime, requests, rejected, outcomes, workerDeaths, activeWorkers);
  }
}
