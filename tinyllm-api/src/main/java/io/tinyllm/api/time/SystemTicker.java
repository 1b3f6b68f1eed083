package io.tinyllm.api.time;

import jakarta.inject.Singleton;

/** {@link System#nanoTime()}: the {@link Ticker} production uses. */
@Singleton
public final class SystemTicker implements Ticker {
  static final SystemTicker INSTANCE = new SystemTicker();

  @Override
  public long read() {
    return System.nanoTime();
  }

  @Override
  public String toString() {
    return "SystemTicker";
  }
}
