package io.tinyllm.executor;

import java.time.Duration;

/**
 * One node execution in a graph run.
 *
 * @param outcome success, error, timeout, circuit_open or cancelled
 * @param error the failure's message, or {@code null}
 * @param doneReason why the node's model stopped, as Ollama says it ({@code stop}, or {@code
 *     length} when the answer was cut at the token limit); {@code null} when the node asked no
 *     model or failed
 * @param cached whether the node's model call was answered from the response cache
 */
public record NodeTrace(
    String node,
    NodeType type,
    String outcome,
    int attempts,
    Duration latency,
    long promptTokens,
    long outputTokens,
    String error,
    String doneReason,
    boolean cached) {

  /** A node execution without a model's reason to stop. */
  public NodeTrace(
      String node,
      NodeType type,
      String outcome,
      int attempts,
      Duration latency,
      long promptTokens,
      long outputTokens,
      String error) {
    this(node, type, outcome, attempts, latency, promptTokens, outputTokens, error, null, false);
  }

  /** Whether the node's model answer was cut at its token limit ({@code num_predict}). */
  public boolean cutAtTokenLimit() {
    return "length".equals(doneReason);
  }
}
