package io.tinyllm.cli;

import io.tinyllm.api.llm.GenerationOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model parameters a chat session sets with {@code /set parameter NAME VALUE}: Ollama's names
 * ({@code cmd/interactive.go} lists the same), each value checked before it is sent.
 *
 * <pre>{@code
 * ChatParameters parameters = new ChatParameters();
 * parameters.set("num_predict", List.of("256"));   // a problem: UsageException naming it
 * GenerationOptions options = parameters.options();
 * }</pre>
 */
final class ChatParameters {
  /** At most this many stop sequences, each at most {@value #MAX_STOP_CHARS} characters. */
  static final int MAX_STOPS = 16;

  static final int MAX_STOP_CHARS = 256;

  /** What one parameter takes, for checking and for {@code /set parameter} with no name. */
  private record Kind(String description, boolean integer, double min, double max) {
    static Kind whole(String description, long min, long max) {
      return new Kind(description, true, min, max);
    }

    static Kind number(String description, double min, double max) {
      return new Kind(description, false, min, max);
    }
  }

  private static final Map<String, Kind> KINDS = new LinkedHashMap<>();

  static {
    KINDS.put("seed", Kind.whole("Random number seed", Integer.MIN_VALUE, Integer.MAX_VALUE));
    KINDS.put(
        "num_predict",
        Kind.whole("Max number of tokens to predict (-1: no limit)", -2, Integer.MAX_VALUE));
    KINDS.put("top_k", Kind.whole("Pick from top k num of tokens", 0, Integer.MAX_VALUE));
    KINDS.put("top_p", Kind.number("Pick token based on sum of probabilities", 0, 1));
    KINDS.put("min_p", Kind.number("Pick token based on top token probability * min_p", 0, 1));
    KINDS.put("num_ctx", Kind.whole("Set the context size", 1, Integer.MAX_VALUE));
    KINDS.put("temperature", Kind.number("Set creativity level", 0, Double.MAX_VALUE));
    KINDS.put(
        "repeat_penalty", Kind.number("How strongly to penalize repetitions", 0, Double.MAX_VALUE));
    KINDS.put(
        "repeat_last_n",
        Kind.whole("Set how far back to look for repetitions", -1, Integer.MAX_VALUE));
    KINDS.put(
        "num_gpu", Kind.whole("The number of layers to send to the GPU", -1, Integer.MAX_VALUE));
  }

  private final Map<String, Object> values = new TreeMap<>();

  /** Sets {@code name} to {@code args} (several only for {@code stop}); throws on a bad value. */
  void set(String name, List<String> args) {
    if (name.equals("stop")) {
      if (args.isEmpty() || args.size() > MAX_STOPS) {
        throw new UsageException("stop takes 1 to " + MAX_STOPS + " sequences, got " + args.size());
      }
      for (String stop : args) {
        if (stop.length() > MAX_STOP_CHARS) {
          throw new UsageException(
              "a stop sequence may have at most " + MAX_STOP_CHARS + " characters");
        }
      }
      values.put(name, List.copyOf(args));
      return;
    }
    Kind kind = KINDS.get(name);
    if (kind == null) {
      throw new UsageException(
          "Unknown parameter '" + name + "'; /set parameter lists the ones there are");
    }
    if (args.size() != 1) {
      throw new UsageException(name + " takes one value, got " + args.size());
    }
    values.put(name, parse(name, kind, args.get(0)));
  }

  private static Object parse(String name, Kind kind, String text) {
    if (kind.integer()) {
      long value;
      try {
        value = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new UsageException(name + " takes a whole number, not '" + text + "'");
      }
      if (value < kind.min() || value > kind.max()) {
        throw new UsageException(
            name
                + " must be "
                + (kind.max() == Integer.MAX_VALUE
                    ? "at least " + (long) kind.min()
                    : "from " + (long) kind.min() + " to " + (long) kind.max())
                + ", got "
                + text);
      }
      return (int) value;
    }
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new UsageException(name + " takes a number, not '" + text + "'");
    }
    if (!Double.isFinite(value) || value < kind.min() || value > kind.max()) {
      throw new UsageException(
          name
              + " must be a number "
              + (kind.max() == Double.MAX_VALUE
                  ? "of at least " + format(kind.min())
                  : "from " + format(kind.min()) + " to " + format(kind.max()))
              + ", got "
              + text);
    }
    return value;
  }

  private static String format(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  /** The parameters set so far, by name. */
  Map<String, Object> values() {
    return Collections.unmodifiableMap(values);
  }

  /**
   * The parameters as request options; those {@link GenerationOptions} has no field for go extra.
   */
  GenerationOptions options() {
    GenerationOptions.Builder builder = GenerationOptions.builder();
    Map<String, Object> extra = new TreeMap<>();
    values.forEach(
        (name, value) -> {
          switch (name) {
            case "temperature" -> builder.temperature((Double) value);
            case "top_p" -> builder.topP((Double) value);
            case "top_k" -> builder.topK((Integer) value);
            case "num_predict" -> builder.numPredict((Integer) value);
            case "seed" -> builder.seed((Integer) value);
            case "num_ctx" -> builder.numCtx((Integer) value);
            case "stop" -> builder.stop(stops(value));
            default -> extra.put(name, value);
          }
        });
    return builder.extra(extra).build();
  }

  @SuppressWarnings("unchecked")
  private static List<String> stops(Object value) {
    return (List<String>) value;
  }

  /** What {@code /set parameter} alone prints: every name, what it takes and what it does. */
  static List<String> usage() {
    List<String> lines = new ArrayList<>();
    lines.add("Available parameters:");
    KINDS.forEach(
        (name, kind) ->
            lines.add(
                String.format(
                    Locale.ROOT,
                    "  /set parameter %-14s %-8s %s",
                    name,
                    kind.integer() ? "<int>" : "<float>",
                    kind.description())));
    lines.add(
        String.format(
            Locale.ROOT,
            "  /set parameter %-14s %-8s %s",
            "stop",
            "<string>",
            "Stop sequences (one or more, separated by spaces)"));
    return lines;
  }
}
