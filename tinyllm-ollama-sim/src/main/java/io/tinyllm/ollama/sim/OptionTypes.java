package io.tinyllm.ollama.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The type check Ollama applies to a request's {@code options} ({@code Options.FromMap} in v0.13.5
 * api/types.go) when it schedules the model: every known option must have its Go type, else the
 * request fails with 500 and {@code option "temperature" must be of type float32}. Unknown keys and
 * null values are ignored, as Ollama only logs them.
 */
final class OptionTypes {
  private enum Kind {
    INTEGER,
    FLOAT,
    BOOLEAN,
    STRINGS
  }

  // the json tags of api.Options and api.Runner in Ollama v0.13.5
  private static final Map<String, Kind> KNOWN =
      Map.ofEntries(
          Map.entry("num_ctx", Kind.INTEGER),
          Map.entry("num_batch", Kind.INTEGER),
          Map.entry("num_gpu", Kind.INTEGER),
          Map.entry("main_gpu", Kind.INTEGER),
          Map.entry("use_mmap", Kind.BOOLEAN),
          Map.entry("num_thread", Kind.INTEGER),
          Map.entry("num_keep", Kind.INTEGER),
          Map.entry("seed", Kind.INTEGER),
          Map.entry("num_predict", Kind.INTEGER),
          Map.entry("top_k", Kind.INTEGER),
          Map.entry("top_p", Kind.FLOAT),
          Map.entry("min_p", Kind.FLOAT),
          Map.entry("typical_p", Kind.FLOAT),
          Map.entry("repeat_last_n", Kind.INTEGER),
          Map.entry("temperature", Kind.FLOAT),
          Map.entry("repeat_penalty", Kind.FLOAT),
          Map.entry("presence_penalty", Kind.FLOAT),
          Map.entry("frequency_penalty", Kind.FLOAT),
          Map.entry("stop", Kind.STRINGS));

  private OptionTypes() {}

  /**
   * Checks every known option of {@code options} (null: none given), in the order given.
   *
   * @throws ApiException 500 with Ollama's text for the first option of the wrong type
   */
  static void check(ObjectNode options) {
    if (options == null) {
      return;
    }
    for (Map.Entry<String, JsonNode> entry : options.properties()) {
      Kind kind = KNOWN.get(entry.getKey()); // a map: keys match exactly
      JsonNode value = entry.getValue();
      if (kind == null || value.isNull()) {
        continue;
      }
      String error = error(kind, value);
      if (error != null) {
        throw new ApiException(500, "option " + WireFormat.goQuote(entry.getKey()) + error);
      }
    }
  }

  private static String error(Kind kind, JsonNode value) {
    switch (kind) {
      case INTEGER:
        // JSON numbers reach Ollama as float64, which it truncates to an integer
        return value.isNumber() ? null : " must be of type integer";
      case FLOAT:
        return value.isNumber() ? null : " must be of type float32";
      case BOOLEAN:
        return value.isBoolean() ? null : " must be of type boolean";
      default:
        if (!value.isArray()) {
          return " must be of type array";
        }
        for (JsonNode item : value) {
          if (!item.isTextual()) {
            return " must be of an array of strings";
          }
        }
        return null;
    }
  }
}
