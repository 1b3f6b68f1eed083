package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A model loaded in memory (an entry of {@code GET /api/ps}).
 *
 * @param size bytes the loaded model takes in total
 * @param sizeVram of those, bytes in GPU memory ({@code 0} when running on the CPU)
 * @param expiresAt when the server unloads it unless used again; {@code null} if not reported
 * @param contextLength the context length it was loaded with; {@code 0} if not reported
 */
public record RunningModel(
    String name,
    String model,
    long size,
    long sizeVram,
    String digest,
    Instant expiresAt,
    long contextLength,
    ModelDetails details) {
  public RunningModel {
    requireNonNull(name, "name is null");
    details = details == null ? ModelDetails.UNKNOWN : details;
  }
}
