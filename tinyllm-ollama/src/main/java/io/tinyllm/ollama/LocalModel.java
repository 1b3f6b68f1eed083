package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A model installed on the server (an entry of {@code GET /api/tags}).
 *
 * @param name the name to use in requests ({@code qwen2.5:0.5b})
 * @param size bytes on disk
 * @param modifiedAt when it was pulled or created; {@code null} if the server did not say
 */
public record LocalModel(
    String name, String model, Instant modifiedAt, long size, String digest, ModelDetails details) {
  public LocalModel {
    requireNonNull(name, "name is null");
    details = details == null ? ModelDetails.UNKNOWN : details;
  }
}
