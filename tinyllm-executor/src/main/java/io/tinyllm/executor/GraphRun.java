package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.graph.GraphResult;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of one graph execution with its trace: every node execution in the order they ended,
 * with latency and tokens.
 *
 * @param rootCause on failure, the type of what went wrong (behind an open circuit breaker, the
 *     failure that opened it); null on success
 */
public record GraphRun(
    String graphId,
    Status status,
    String output,
    String error,
    Duration latency,
    int steps,
    List<NodeTrace> trace,
    ErrorType rootCause) {

  /** How a graph run ended; {@link #label()} is the {@code outcome} label value. */
  public enum Status {
    SUCCESS,
    FAILED,
    TIMEOUT,
    CANCELLED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public GraphRun {
    requireNonNull(graphId, "graphId is null");
    requireNonNull(status, "status is null");
    requireNonNull(latency, "latency is null");
    trace = List.copyOf(trace);
  }

  public boolean success() {
    return status == Status.SUCCESS;
  }

  public long promptTokens() {
    return trace.stream().mapToLong(NodeTrace::promptTokens).sum();
  }

  public long outputTokens() {
    return trace.stream().mapToLong(NodeTrace::outputTokens).sum();
  }

  /**
   * Whether the answer came from the response cache: every node that asked a model (model and
   * router nodes) was answered from it, and there was at least one.
   */
  public boolean cached() {
    List<NodeTrace> asked =
        trace.stream()
            .filter(n -> n.type() == NodeType.MODEL || n.type() == NodeType.ROUTER)
            .toList();
    return !asked.isEmpty() && asked.stream().allMatch(NodeTrace::cached);
  }

  public GraphResult toResult() {
    return new GraphResult(graphId, success(), success() ? output : null, error);
  }
}
