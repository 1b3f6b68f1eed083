package io.tinyllm.metrics.exporter;

/**
 * What became of a push: callers (a batch job, say) report a failure in their exit status instead
 * of crashing.
 *
 * @param message {@code null} on success, else why the push failed
 */
public record PushResult(boolean success, String message) {
  private static final PushResult OK = new PushResult(true, null);

  public static PushResult ok() {
    return OK;
  }

  public static PushResult failed(String message) {
    return new PushResult(false, message);
  }
}
