package io.tinyllm.api.error;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What kind of failure an exception is: {@link TinyLlmException#errorType()} classifies every
 * exception TinyLLM throws with one of these, and {@link #label()} is its value of the {@code
 * error_type} label. The labels are part of the metrics contract (dashboards and alerts select on
 * them): never rename one.
 *
 * <pre>{@code
 * catch (LlmException e) {
 *   errors.labelValues(e.errorType().label(), model, graph).inc(); // error_type="timeout"
 * }
 * }</pre>
 */
public enum ErrorType {
  /** Not one of TinyLLM's own failures (a bug, or an exception of a library). */
  INTERNAL,
  /** A call to a language model failed in a way no more specific type names. */
  LLM,
  /** The model server could not be reached. */
  CONNECTION,
  /** A connect, request, stream-idle, node or graph timeout elapsed. */
  TIMEOUT,
  /** The model server failed with a 5xx status. */
  SERVER_ERROR,
  /** The model server is overloaded (503, 429). */
  SERVER_BUSY,
  /** The server rejected the request as invalid. */
  BAD_REQUEST,
  /** The requested model is not on the server. */
  MODEL_NOT_FOUND,
  /** The server answered with something that is not the documented JSON. */
  MALFORMED_RESPONSE,
  /** A stream reported an error, or ended, before its final chunk. */
  STREAM_ERROR,
  /** The client-side rate limiter had no permit within the allowed wait. */
  RATE_LIMITED,
  /** A circuit breaker is open. */
  CIRCUIT_OPEN,
  /** The caller cancelled the call, or the graph was cancelled. */
  CANCELLED,
  /** A setting is missing or unusable. */
  CONFIG,
  /** A graph could not be loaded, validated or executed. */
  GRAPH,
  /** A graph file has problems. */
  GRAPH_INVALID,
  /** An expression did not parse, or could not be evaluated. */
  EXPRESSION,
  /** A branch of a fan-out failed. */
  BRANCH_FAILED,
  /** A gate was closed and no edge handled it. */
  GATE_CLOSED,
  /** No outgoing edge of a node matched. */
  NO_ROUTE,
  /** A plug-in could not be discovered, loaded or wired. */
  PLUGIN,
  /** The request queue did not accept a request. */
  QUEUE_REJECTED,
  /** An exporter could not start. */
  EXPORTER;

  private static final Map<String, ErrorType> BY_LABEL =
      Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(ErrorType::label, t -> t));

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The {@code error_type} label value: the name in lower case ({@code model_not_found}). */
  public String label() {
    return label;
  }

  /**
   * The type whose {@link #label()} is {@code label}, for code that carries a failure's type as its
   * label (the executor's node failures).
   *
   * @throws IllegalArgumentException if no type has that label
   */
  public static ErrorType ofLabel(String label) {
    ErrorType type = BY_LABEL.get(label);
    if (type == null) {
      throw new IllegalArgumentException(
          "Unknown error type '"
              + label
              + "'; known: "
              + BY_LABEL.keySet().stream().sorted().toList());
    }
    return type;
  }

  /** The label, so that messages and logs show what the metrics show. */
  @Override
  public String toString() {
    return label;
  }
}
