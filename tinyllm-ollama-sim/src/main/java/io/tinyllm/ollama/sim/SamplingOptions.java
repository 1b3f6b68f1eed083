package io.tinyllm.ollama.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The request {@code options} the simulator acts on: {@code num_predict} (limit on generated
 * tokens; 0 or negative means none), {@code stop} (stop sequences), {@code num_ctx} (context size,
 * caps {@code prompt_eval_count}) and {@code seed} (changes the deterministic answer). Every other
 * option (temperature, top_k, ...) is accepted and ignored, as the answers are deterministic
 * anyway.
 *
 * @param numPredict the token limit, or 0 for none
 * @param stop the stop sequences
 * @param numCtx the context size
 * @param seed the seed, or null
 */
record SamplingOptions(int numPredict, List<String> stop, int numCtx, Long seed) {

  /**
   * Reads {@code options}. A value of the wrong type fails with status 500 and Ollama's wording
   * (see {@link OptionTypes}).
   */
  static SamplingOptions parse(ObjectNode options, int defaultNumCtx) {
    if (options == null) {
      return new SamplingOptions(0, List.of(), defaultNumCtx, null);
    }
    OptionTypes.check(options);
    int numPredict = integer(options, "num_predict", 0);
    int numCtx = integer(options, "num_ctx", defaultNumCtx);
    Long seed = options.hasNonNull("seed") ? (long) integer(options, "seed", 0) : null;
    List<String> stop = new ArrayList<>();
    JsonNode stopNode = options.get("stop");
    if (stopNode != null && !stopNode.isNull()) {
      for (JsonNode s : stopNode) {
        if (!s.asText().isEmpty()) {
          stop.add(s.asText());
        }
      }
    }
    return new SamplingOptions(numPredict, List.copyOf(stop), Math.max(1, numCtx), seed);
  }

  /** Hash input capturing what changes the answer. */
  String answerSalt() {
    return seed == null ? "" : "seed=" + seed;
  }

  private static int integer(ObjectNode options, String key, int absent) {
    JsonNode node = options.get(key);
    if (node == null || node.isNull()) {
      return absent;
    }
    double value = node.asDouble();
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
  }
}
