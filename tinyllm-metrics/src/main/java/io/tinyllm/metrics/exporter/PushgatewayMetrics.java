package io.tinyllm.metrics.exporter;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Pushes to the Pushgateway, by operation and outcome, and when the last one succeeded.
 *
 * <pre>
 * tinyllm_pushgateway_pushes_total{operation="push",outcome="success"} 1.0
 * tinyllm_pushgateway_last_success_timestamp_seconds 1.7e9
 * </pre>
 */
@Singleton
public final class PushgatewayMetrics implements MetricSet {
  private final Counter pushes =
      Counter.builder()
          .name("tinyllm_pushgateway_pushes_total")
          .help("Pushgateway requests by operation (push, push_add, delete) and outcome")
          .labelNames("operation", "outcome")
          .build();
  // absent until a push succeeds, so "time() - last success" never measures from 1970
  private volatile double lastSuccessSeconds = Double.NaN;
  private final GaugeWithCallback lastSuccess =
      GaugeWithCallback.builder()
          .name("tinyllm_pushgateway_last_success_timestamp_seconds")
          .help("Unix time of the last successful Pushgateway request")
          .callback(
              callback -> {
                if (!Double.isNaN(lastSuccessSeconds)) {
                  callback.call(lastSuccessSeconds);
                }
              })
          .build();

  void succeeded(String operation) {
    pushes.labelValues(operation, "success").inc();
    lastSuccessSeconds = System.currentTimeMillis() / 1000.0;
  }

  void failed(String operation) {
    pushes.labelValues(operation, "failure").inc();
  }

  /**
   * Pushes of {@code operation} that ended with {@code outcome} ({@code success}/{@code failure}).
   */
  public long count(String operation, String outcome) {
    return (long) pushes.labelValues(operation, outcome).get();
  }

  @Override
  public List<Collector> collectors() {
    return List.of(pushes, lastSuccess);
  }
}
