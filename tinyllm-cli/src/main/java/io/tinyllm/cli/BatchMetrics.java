package io.tinyllm.cli;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.Instant;

/**
 * The batch job's own figures, pushed with everything else when it ends. A failed batch leaves out
 * its last-success time, so the value from the last good run stays on the Pushgateway (the batch
 * then pushes with add, not replace).
 *
 * <pre>
 * tinyllm_batch_last_success_timestamp_seconds 1.7e9
 * tinyllm_batch_duration_seconds 2.5
 * tinyllm_batch_prompts_total{outcome="error"} 0.0
 * tinyllm_batch_prompts_total{outcome="success"} 10.0
 * </pre>
 */
final class BatchMetrics {
  static final String SUCCESS = "success";
  static final String ERROR = "error";
  static final String CANCELLED = "cancelled";

  private final Gauge lastSuccess =
      Gauge.builder()
          .name("tinyllm_batch_last_success_timestamp_seconds")
          .help("When the last batch whose prompts all succeeded finished (Unix time)")
          .build();
  private final Gauge duration =
      Gauge.builder()
          .name("tinyllm_batch_duration_seconds")
          .help("How long the last batch ran, from its first prompt to its last answer")
          .build();
  private final Counter prompts =
      Counter.builder()
          .name("tinyllm_batch_prompts_total")
          .help("Prompts of the last batch by outcome: success, error or cancelled")
          .labelNames("outcome")
          .build();

  /**
   * Records a finished batch and registers its families in {@code registry}. {@code cancelled}
   * (prompts in flight when the batch was interrupted) appears only when there were some; {@code
   * succeededAt} is null unless every prompt succeeded.
   */
  void finished(
      PrometheusRegistry registry,
      int succeeded,
      int failed,
      int cancelled,
      Duration took,
      Instant succeededAt) {
    prompts.labelValues(SUCCESS).inc(succeeded);
    prompts.labelValues(ERROR).inc(failed);
    if (cancelled > 0) {
      prompts.labelValues(CANCELLED).inc(cancelled);
    }
    duration.set(took.toNanos() / 1e9);
    registry.register(prompts);
    registry.register(duration);
    if (succeededAt != null) {
      lastSuccess.set(succeededAt.toEpochMilli() / 1000.0);
      registry.register(lastSuccess);
    }
  }
}
