package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Node and graph metrics. Node executions count each time a node runs (its retries included in one
 * execution); errors count executions that failed, by error type; graph executions count runs of a
 * whole graph whatever their outcome.
 *
 * <pre>
 * tinyllm_node_executions_total{graph="qa",node="answer"} 1.0
 * tinyllm_node_outcomes_total{graph="qa",node="answer",outcome="success"} 1.0
 * tinyllm_graph_executions_total{graph="qa"} 1.0
 * tinyllm_graph_outcomes_total{graph="qa",outcome="success"} 1.0
 * tinyllm_node_circuit_breaker_state{graph="qa",node="answer"} 0.0
 * </pre>
 */
@Singleton
public final class ExecutorMetrics implements MetricSet {
  static final double[] NODE_BUCKETS = {.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120};
  static final double[] GRAPH_BUCKETS = {.1, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

  private final LabelGuard guard;
  private final Counter nodeExecutions =
      Counter.builder()
          .name("tinyllm_node_executions_total")
          .help("Node executions by node and graph")
          .labelNames("node", "graph")
          .build();
  private final Histogram nodeDuration =
      Histogram.builder()
          .name("tinyllm_node_execution_duration_seconds")
          .help("Node execution time, retries included")
          .labelNames("node", "graph")
          .classicOnly()
          .classicUpperBounds(NODE_BUCKETS)
          .build();
  private final Counter nodeErrors =
      Counter.builder()
          .name("tinyllm_node_errors_total")
          .help("Node executions that failed, by error type")
          .labelNames("node", "graph", "error_type")
          .build();
  private final Counter nodeOutcomes =
      Counter.builder()
          .name("tinyllm_node_outcomes_total")
          .help("Node executions by outcome: success, error, timeout, circuit_open, cancelled")
          .labelNames("node", "graph", "outcome")
          .build();
  private final Counter nodeRetries =
      Counter.builder()
          .name("tinyllm_node_retries_total")
          .help("Node attempts retried after a failure")
          .labelNames("node", "graph")
          .build();
  private final Gauge nodeBreakerState =
      Gauge.builder()
          .name("tinyllm_node_circuit_breaker_state")
          .help("Circuit breaker state per graph node: 0 closed, 1 half-open, 2 open")
          .labelNames("node", "graph")
          .build();
  private final Counter graphExecutions =
      Counter.builder()
          .name("tinyllm_graph_executions_total")
          .help("Graph executions")
          .labelNames("graph")
          .build();
  private final Histogram graphDuration =
      Histogram.builder()
          .name("tinyllm_graph_execution_duration_seconds")
          .help("Graph execution time")
          .labelNames("graph")
          .classicOnly()
          .classicUpperBounds(GRAPH_BUCKETS)
          .build();
  private final Counter graphOutcomes =
      Counter.builder()
          .name("tinyllm_graph_outcomes_total")
          .help("Graph executions by outcome: success, failed, timeout, cancelled")
          .labelNames("graph", "outcome")
          .build();

  @Inject
  public ExecutorMetrics(LabelGuard guard) {
    this.guard = requireNonNull(guard, "guard is null");
  }

  void nodeExecuted(String graph, String node, String outcome, double seconds) {
    String g = guard.guard("graph", graph);
    String n = guard.guard("node", node);
    nodeExecutions.labelValues(n, g).inc();
    nodeDuration.labelValues(n, g).observe(seconds);
    nodeOutcomes.labelValues(n, g, outcome).inc();
  }

  void nodeFailed(String graph, String node, String errorType) {
    nodeErrors.labelValues(guard.guard("node", node), guard.guard("graph", graph), errorType).inc();
  }

  void nodeRetried(String graph, String node) {
    nodeRetries.labelValues(guard.guard("node", node), guard.guard("graph", graph)).inc();
  }

  /** The node's breaker entered {@code state}: 0 closed, 1 half-open, 2 open. */
  void nodeBreakerState(String graph, String node, int state) {
    nodeBreakerState.labelValues(guard.guard("node", node), guard.guard("graph", graph)).set(state);
  }

  void graphExecuted(String graph, String outcome, double seconds) {
    String g = guard.guard("graph", graph);
    graphExecutions.labelValues(g).inc();
    graphDuration.labelValues(g).observe(seconds);
    graphOutcomes.labelValues(g, outcome).inc();
  }

  @Override
  public List<Collector> collectors() {
    return List.of(
        nodeExecutions,
        nodeDuration,
        nodeErrors,
        nodeOutcomes,
        nodeRetries,
        nodeBreakerState,
        graphExecutions,
        graphDuration,
        graphOutcomes);
  }
}
