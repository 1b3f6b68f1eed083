package io.tinyllm.executor.queue;

/** How a submitted request ended; {@link #label()} is the {@code outcome} label value. */
public enum QueueOutcome {
  COMPLETED,
  FAILED,
  TIMED_OUT,
  REJECTED;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
