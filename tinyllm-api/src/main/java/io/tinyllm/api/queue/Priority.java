package io.tinyllm.api.queue;

/** Request priority; {@link #label()} is the {@code priority} label value. */
public enum Priority {
  HIGH,
  NORMAL,
  LOW;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
