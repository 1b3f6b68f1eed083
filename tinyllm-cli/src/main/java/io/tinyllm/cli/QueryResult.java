package io.tinyllm.cli;

import io.tinyllm.api.error.ErrorType;
import io.tinyllm.executor.NodeTrace;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What became of one prompt: its answer or error, tokens and latency, and — through a graph — the
 * trace of its nodes; straight to a model, Ollama's own timings.
 *
 * @param graph the graph id, or {@code null} when the prompt went straight to a model
 * @param model the model(s) asked, comma-separated
 * @param timings Ollama's figures for a direct call (load, prompt eval, eval, tokens/s, first
 *     token), empty for a graph
 * @param rootCause on failure, the type of what went wrong (behind an open circuit breaker, the
 *     failure that opened it); null on success
 * @param cached the answer was served from the response cache (through a graph: every model call of
 *     it was)
 */
record QueryResult(
    String answer,
    String model,
    String graph,
    String error,
    long promptTokens,
    long outputTokens,
    Duration latency,
    List<NodeTrace> trace,
    Map<String, Object> timings,
    ErrorType rootCause,
    boolean cached) {

  QueryResult {
    trace = List.copyOf(trace);
    timings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(timings));
  }

  boolean success() {
    return error == null;
  }

  /** The JSON object {@code run --json} prints and each line of {@code batch} starts from. */
  Map<String, Object> toJson(boolean withTrace) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("answer", answer);
    json.put("error", error);
    json.put("model", model);
    json.put("graph", graph);
    json.put("prompt_tokens", promptTokens);
    json.put("output_tokens", outputTokens);
    json.put("cached", cached);
    json.put("latency_seconds", CliJson.seconds(latency));
    if (withTrace) {
      if (graph != null) {
        json.put("trace", trace.stream().map(QueryResult::nodeJson).toList());
      } else {
        json.put("timings", new LinkedHashMap<>(timings));
      }
    }
    return json;
  }

  private static Map<String, Object> nodeJson(NodeTrace node) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("node", node.node());
    json.put("type", node.type().yamlName());
    json.put("outcome", node.outcome());
    json.put("attempts", node.attempts());
    json.put("latency_seconds", CliJson.seconds(node.latency()));
    json.put("prompt_tokens", node.promptTokens());
    json.put("output_tokens", node.outputTokens());
    json.put("cached", node.cached());
    json.put("error", node.error());
    return json;
  }
}
