package io.tinyllm.executor.memory;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Conversation memory operations by type: {@code add}, {@code get}, {@code clear}, {@code trim}
 * (one per message evicted to respect the bounds).
 *
 * <pre>
 * tinyllm_memory_operations_total{operation_type="add"} 2.0
 * </pre>
 */
@Singleton
public final class MemoryMetrics implements MetricSet {
  private final Counter operations =
      Counter.builder()
          .name("tinyllm_memory_operations_total")
          .help("Conversation memory operations by type")
          .labelNames("operation_type")
          .build();

  void added() {
    operations.labelValues("add").inc();
  }

  void read() {
    operations.labelValues("get").inc();
  }

  void cleared() {
    operations.labelValues("clear").inc();
  }

  void trimmed(int messages) {
    operations.labelValues("trim").inc(messages);
  }

  @Override
  public List<Collector> collectors() {
    return List.of(operations);
  }
}
