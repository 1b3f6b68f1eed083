package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Embeddings for one or more texts (Ollama's {@code /api/embed}).
 *
 * @param truncate whether over-long inputs are cut to the context length; {@code null} for the
 *     server's default (true)
 */
public record EmbedRequest(String model, List<String> input, Boolean truncate, String keepAlive) {
  public EmbedRequest {
    requireNonNull(model, "model is null");
    input = List.copyOf(requireNonNull(input, "input is null"));
  }

  public static EmbedRequest of(String model, List<String> input) {
    return new EmbedRequest(model, input, null, null);
  }
}
