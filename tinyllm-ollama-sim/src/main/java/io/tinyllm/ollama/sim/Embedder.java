package io.tinyllm.ollama.sim;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Deterministic embeddings: a bag-of-words projection. Every lower-cased word of the text adds a
 * pseudo-random vector seeded from the model and the word, and the sum is normalized. The same text
 * always gives the same vector, and texts sharing words get a high cosine similarity, which is
 * enough to exercise semantic caches and vector search.
 */
final class Embedder {
  private Embedder() {}

  /** The unit vector of {@code text} for {@code model}, of the model's embedding length. */
  static float[] embed(SimulatedModel model, String text) {
    int dimensions = model.embeddingLength();
    double[] sum = new double[dimensions];
    List<String> tokens = Tokenizer.tokenize(text);
    boolean anyWord = false;
    for (String token : tokens) {
      String word = token.strip().toLowerCase(Locale.ROOT);
      if (!word.isEmpty() && Character.isLetterOrDigit(word.codePointAt(0))) {
        add(sum, new SplittableRandom(Hashing.fnv64(model.name(), word)));
        anyWord = true;
      }
    }
    if (!anyWord) {
      // punctuation-only text still gets its own stable vector
      add(sum, new SplittableRandom(Hashing.fnv64(model.name(), "text", text)));
    }
    double norm = 0;
    for (double v : sum) {
      norm += v * v;
    }
    norm = Math.max(Math.sqrt(norm), 1e-12);
    float[] unit = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      unit[i] = (float) (sum[i] / norm);
    }
    return unit;
  }

  /** {@code vector} cut to {@code dimensions} and normalized again, as Ollama does. */
  static float[] truncate(float[] vector, int dimensions) {
    if (dimensions <= 0 || dimensions >= vector.length) {
      return vector;
    }
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      norm += (double) vector[i] * vector[i];
    }
    norm = Math.max(Math.sqrt(norm), 1e-12);
    float[] cut = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      cut[i] = (float) (vector[i] / norm);
    }
    return cut;
  }

  /**
   * The raw (unnormalized) vector the legacy {@code /api/embeddings} returns: Ollama does not
   * normalize there, so the simulator scales the unit vector by a text-dependent length.
   */
  static float[] raw(SimulatedModel model, String text) {
    float[] unit = embed(model, text);
    double length = 5 + (Hashing.fnv64(model.name(), "length", text) >>> 40) % 1000 / 100.0;
    float[] raw = new float[unit.length];
    for (int i = 0; i < unit.length; i++) {
      raw[i] = (float) (unit[i] * length);
    }
    return raw;
  }

  private static void add(double[] sum, SplittableRandom random) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += random.nextDouble() * 2 - 1;
    }
  }
}
