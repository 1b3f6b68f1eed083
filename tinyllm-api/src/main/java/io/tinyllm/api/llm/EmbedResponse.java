package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/** One embedding vector per input, in input order. */
public record EmbedResponse(
    String model,
    List<float[]> embeddings,
    long promptTokens,
    Duration totalDuration,
    Duration loadDuration) {
  public EmbedResponse {
    requireNonNull(model, "model is null");
    embeddings = List.copyOf(requireNonNull(embeddings, "embeddings is null"));
    totalDuration = totalDuration == null ? Duration.ZERO : totalDuration;
    loadDuration = loadDuration == null ? Duration.ZERO : loadDuration;
  }
}
