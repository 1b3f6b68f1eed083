package io.tinyllm.api.queue;

import java.util.Locale;

/** Request priority; {@link #label()} is the {@code priority} label value. */
public enum Priority {
  HIGH,
  NORMAL,
  LOW;

  private final String label = name().toLowerCase(Locale.ROOT);

  public String label() {
    return label;
  }
}
