package io.tinyllm.executor;

import io.tinyllm.api.error.ConfigException;
import io.tinyllm.api.error.GraphException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The execution settings in force for one graph: {@code executor.graph-timeout}, {@code
 * executor.max-steps} and {@code executor.failure-mode}, each overridden by the graph's optional
 * {@code metadata.execution} mapping (kept under {@code metadata}, which the Python format leaves
 * free-form, so such a file still loads there), and {@code executor.max-payload-chars}, which the
 * graph's {@code max_payload_chars} may lower but never raise (a graph file may come from someone
 * the operator does not trust).
 *
 * <pre>{@code
 * metadata:
 *   execution: {timeout: 30s, max_steps: 50, failure_mode: best-effort, max_payload_chars: 20000}
 * }</pre>
 */
record GraphExecution(
    Duration graphTimeout, int maxSteps, FailureMode failureMode, TextLimit textLimit) {
  static final String KEY = "execution";
  static final List<String> SETTINGS =
      List.of("timeout", "max_steps", "failure_mode", "max_payload_chars");

  /**
   * The settings of {@code graph} over {@code defaults}. Problems go to {@code sink} (the defaults
   * are kept for that setting), or throw a {@link GraphException} when {@code sink} is {@code
   * null}.
   */
  static GraphExecution of(
      GraphDefinition graph, ExecutorConfig defaults, Consumer<ValidationError> sink) {
    Duration timeout = defaults.graphTimeout();
    int maxSteps = defaults.maxSteps();
    FailureMode mode = defaults.failureMode();
    TextLimit limit = new TextLimit(defaults.maxPayloadChars());
    Object section = graph.metadata().get(KEY);
    if (section == null) {
      return new GraphExecution(timeout, maxSteps, mode, limit);
    }
    Reader r = new Reader(graph, sink);
    if (!(section instanceof Map<?, ?> values)) {
      r.wrong("", "a mapping of " + SETTINGS, section, null);
      return new GraphExecution(timeout, maxSteps, mode, limit);
    }
    for (Map.Entry<?, ?> e : values.entrySet()) {
      String key = String.valueOf(e.getKey());
      Object value = e.getValue();
      if (value == null) {
        continue;
      }
      switch (key) {
        case "timeout" -> timeout = r.duration(key, value, timeout);
        case "max_steps" -> maxSteps = r.steps(key, value, maxSteps);
        case "failure_mode" -> mode = r.mode(key, value, mode);
        case "max_payload_chars" -> {
          int chars = r.integer(key, value, 1, 1 << 28, limit.maxChars());
          if (chars < limit.maxChars()) {
            limit = new TextLimit(chars, "the graph's " + Reader.field(key));
          }
        }
        default -> r.problem(key, "unknown setting; expected one of " + SETTINGS);
      }
    }
    return new GraphExecution(timeout, maxSteps, mode, limit);
  }

  private record Reader(GraphDefinition graph, Consumer<ValidationError> sink) {
    Duration duration(String key, Object value, Duration fallback) {
      Duration d;
      try {
        d = YamlValues.duration(value);
      } catch (ConfigException e) {
        return wrong(key, "a duration such as 30s or 500ms", value, fallback);
      }
      if (d.isZero() || d.isNegative()) {
        return problem(key, "must be more than zero but is " + value, fallback);
      }
      return d;
    }

    int steps(String key, Object value, int fallback) {
      return integer(key, value, 1, 100_000, fallback);
    }

    int integer(String key, Object value, int min, int max, int fallback) {
      if (!(value instanceof Long n)) {
        return wrong(key, "an integer", value, fallback);
      }
      if (n < min || n > max) {
        return problem(key, "must be from " + min + " to " + max + " but is " + n, fallback);
      }
      return n.intValue();
    }

    FailureMode mode(String key, Object value, FailureMode fallback) {
      if (value instanceof String s && (s.equals("fail-fast") || s.equals("best-effort"))) {
        return FailureMode.parse(s);
      }
      return wrong(key, "fail-fast or best-effort", value, fallback);
    }

    <T> T wrong(String key, String expected, Object value, T fallback) {
      return problem(
          key, "expected " + expected + " but found " + YamlValues.describe(value), fallback);
    }

    void problem(String key, String message) {
      problem(key, message, null);
    }

    <T> T problem(String key, String message, T fallback) {
      String field = field(key);
      SourceLocation at = graph.fields().getOrDefault(field, graph.at("metadata"));
      ValidationError error = new ValidationError(at, null, field, message);
      if (sink == null) {
        throw new GraphException(error.toString());
      }
      sink.accept(error);
      return fallback;
    }

    private static String field(String key) {
      return key.isEmpty() ? "metadata." + KEY : "metadata." + KEY + "." + key;
    }
  }
}
