package io.tinyllm.api.graph;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of one graph execution.
 *
 * @param output the exit node's text, or {@code null} when the graph failed
 * @param error why it failed, or {@code null}
 */
public record GraphResult(String graphId, boolean success, String output, String error) {
  public GraphResult {
    requireNonNull(graphId, "graphId is null");
  }
}
