package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

/**
 * One progress report of {@code POST /api/pull}: a status line, and for a layer being downloaded
 * its digest and bytes.
 *
 * <pre>{@code
 * client.pull("qwen2.5:0.5b", p -> System.err.printf("%s %.0f%%%n", p.status(), p.fraction() * 100));
 * }</pre>
 *
 * @param status {@code pulling manifest}, {@code pulling <digest>}, {@code verifying sha256
 *     digest}, {@code writing manifest}, {@code success}
 * @param digest the layer this report is about; {@code null} for status-only reports
 * @param total the layer's size in bytes; {@code 0} when not reported
 * @param completed bytes of the layer downloaded so far
 */
public record PullProgress(String model, String status, String digest, long total, long completed) {
  public PullProgress {
    requireNonNull(model, "model is null");
    requireNonNull(status, "status is null");
  }

  /** How much of the layer is done, from 0 to 1; 0 when its size is not known. */
  public double fraction() {
    return total <= 0 ? 0.0 : Math.min(1.0, (double) completed / total);
  }

  /** Whether this is the final report of a successful pull. */
  public boolean isSuccess() {
    return "success".equals(status);
  }
}
