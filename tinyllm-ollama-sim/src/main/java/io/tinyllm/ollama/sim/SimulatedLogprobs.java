package io.tinyllm.ollama.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Log probabilities in Ollama's shape ({@code api.Logprob}: {@code token}, {@code logprob}, {@code
 * bytes}, {@code top_logprobs}), deterministic per token and position. The chosen token is the most
 * likely; the alternatives are common tokens, each less likely than the one before.
 */
final class SimulatedLogprobs {
  private static final List<String> ALTERNATIVES =
      List.of(
          " the", " a", ",", ".", " and", " of", " to", " is", " in", " it", " that", " for", " on",
          " with", " as", " was", " be", " at", " by", " this", " or");

  private SimulatedLogprobs() {}

  /** The entry of {@code token} at {@code position}, with {@code top} alternatives (0 to 20). */
  static ObjectNode entry(ObjectMapper mapper, String token, int top, String seed, int position) {
    SplittableRandom random =
        new SplittableRandom(Hashing.fnv64("logprob", seed, Integer.toString(position), token));
    double logprob = -random.nextDouble(0.0, 0.5);
    ObjectNode entry = tokenLogprob(mapper, token, logprob);
    if (top > 0) {
      ArrayNode alternatives = entry.putArray("top_logprobs");
      alternatives.add(tokenLogprob(mapper, token, logprob));
      double next = logprob;
      int start = random.nextInt(ALTERNATIVES.size());
      for (int i = 0; alternatives.size() < top && i < ALTERNATIVES.size(); i++) {
        String alternative = ALTERNATIVES.get((start + i) % ALTERNATIVES.size());
        if (!alternative.equals(token)) {
          next -= random.nextDouble(0.5, 2.0);
          alternatives.add(tokenLogprob(mapper, alternative, next));
        }
      }
    }
    return entry;
  }

  private static ObjectNode tokenLogprob(ObjectMapper mapper, String token, double logprob) {
    ObjectNode node = mapper.createObjectNode().put("token", token).put("logprob", logprob);
    if (!token.isEmpty()) { // Ollama leaves bytes out for an empty token (omitempty)
      ArrayNode bytes = node.putArray("bytes");
      for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
        bytes.add(b & 0xff);
      }
    }
    return node;
  }
}
