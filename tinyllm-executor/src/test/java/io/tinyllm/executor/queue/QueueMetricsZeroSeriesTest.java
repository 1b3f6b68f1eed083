package io.tinyllm.executor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.metrics.testing.Exposition;
import org.junit.jupiter.api.Test;

/** Every priority's series exist at 0 before its first request, so rate() sees that request. */
class QueueMetricsZeroSeriesTest {
  @Test
  void everyPriorityIsCountedFromZero() {
    QueueMetrics metrics = new QueueMetrics();
    PrometheusRegistry registry = new PrometheusRegistry();
    metrics.collectors().forEach(registry::register);

    assertThat(Exposition.text(registry, "tinyllm_queue_requests"))
        .isEqualTo(
            """
            # HELP tinyllm_queue_requests_total Requests submitted, by priority, rejected ones included
            # TYPE tinyllm_queue_requests_total counter
            tinyllm_queue_requests_total{priority="high"} 0.0
            tinyllm_queue_requests_total{priority="low"} 0.0
            tinyllm_queue_requests_total{priority="normal"} 0.0
            """);
    assertThat(Exposition.text(registry, "tinyllm_queue_wait_time_seconds").lines())
        .filteredOn(l -> l.startsWith("tinyllm_queue_wait_time_seconds_count"))
        .containsExactly(
            "tinyllm_queue_wait_time_seconds_count{priority=\"high\"} 0",
            "tinyllm_queue_wait_time_seconds_count{priority=\"low\"} 0",
            "tinyllm_queue_wait_time_seconds_count{priority=\"normal\"} 0");
    assertThat(Exposition.recorded(registry, "tinyllm_queue_requests", "tinyllm_queue_outcomes"))
        .isEmpty();
  }
}
