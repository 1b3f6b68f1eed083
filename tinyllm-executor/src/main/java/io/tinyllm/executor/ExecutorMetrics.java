package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

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
  /** The seed's boundaries, extended below 10 ms where cached and transform nodes finish. */
  static final double[] NODE_BUCKETS = {
    .0005, .001, .0025, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120
  };

  /** The seed's boundaries, extended below 100 ms where fully cached runs finish. */
  static final double[] GRAPH_BUCKETS = {
    .001, .0025, .005, .01, .025, .05, .1, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600
  };

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

  /** Node outcomes as the runner labels them. */
  static final List<String> NODE_OUTCOMES =
      List.of("success", "error", "timeout", "circuit_open", "cancelled");

  /** Node failures the runner reports besides a client's: a fan-out, gate or route that fails. */
  static final List<String> ROUTING_ERRORS = List.of("branch_failed", "gate_closed", "no_route");

  /** The error types a node's model call can fail with (as the client reports them). */
  static final List<String> NODE_ERRORS =
      Stream.of(
              ErrorType.CONNECTION,
              ErrorType.TIMEOUT,
              ErrorType.SERVER_BUSY,
              ErrorType.SERVER_ERROR,
              ErrorType.BAD_REQUEST,
              ErrorType.MODEL_NOT_FOUND,
              ErrorType.STREAM_ERROR,
              ErrorType.MALFORMED_RESPONSE,
              ErrorType.CIRCUIT_OPEN,
              ErrorType.RATE_LIMITED,
              ErrorType.CANCELLED,
              ErrorType.SERVER_REJECTED,
              ErrorType.NOT_SUPPORTED,
              ErrorType.RESPONSE_TOO_LARGE)
          .map(ErrorType::label)
          .toList();

  // the definition each (guarded) graph name was last set up for, so a reloaded graph's new nodes
  // get their series too; bounded by the guard's values for graph
  private final Map<String, GraphDefinition> prepared = new ConcurrentHashMap<>();

  @Inject
  public ExecutorMetrics(LabelGuard guard) {
    this.guard = requireNonNull(guard, "guard is null");
  }

  /**
   * {@code graph} is about to run. The first time (and after it is reloaded), exposes at 0 its
   * executions, outcomes and duration, and each node's executions, outcomes, errors by type and
   * retries: a series born with its first event never shows it to {@code rate()} or {@code
   * increase()}.
   */
  void graphStarting(GraphDefinition graph) {
    String g = guard.guard("graph", graph.id());
    if (prepared.get(g) == graph) {
      return;
    }
    graphExecutions.labelValues(g);
    graphDuration.labelValues(g);
    for (GraphRun.Status status : GraphRun.Status.values()) {
      graphOutcomes.labelValues(g, status.label());
    }
    for (NodeDefinition node : graph.nodes()) {
      String n = guard.guard("node", node.id());
      nodeExecutions.labelValues(n, g);
      nodeDuration.labelValues(n, g);
      nodeRetries.labelValues(n, g);
      for (String outcome : NODE_OUTCOMES) {
        nodeOutcomes.labelValues(n, g, outcome);
      }
      for (String type : NODE_ERRORS) {
        nodeErrors.labelValues(n, g, type);
      }
      for (String routing : ROUTING_ERRORS) {
        nodeErrors.labelValues(n, g, routing);
      }
    }
    prepared.put(g, graph);
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
