package io.tinyllm.executor.queue;

import java.util.Locale;

/** How a submitted request ended; {@link #label()} is the {@code outcome} label value. */
public enum QueueOutcome {
  COMPLETED,
  FAILED,
  TIMED_OUT,
  REJECTED;

  private final String label = name().toLowerCase(Locale.ROOT);

  public String label() {
    return label;
  }
}
