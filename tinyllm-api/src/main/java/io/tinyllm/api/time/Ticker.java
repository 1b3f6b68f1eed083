package io.tinyllm.api.time;

import com.google.inject.ImplementedBy;

/**
 * Where everything that times what a metric records reads the time: a nanosecond counter with an
 * arbitrary origin, like {@link System#nanoTime()}. Production uses {@link #system()}; a test binds
 * its own to make every duration, and so every histogram bucket, exact.
 *
 * <pre>{@code
 * TinyLlm app = TinyLlm.start(settings, loader,
 *     List.of(binder -> binder.bind(Ticker.class).toInstance(fakeTicker)));
 * }</pre>
 *
 * <p>Without a binding, Guice injects {@link SystemTicker} (the {@link ImplementedBy} default), so
 * a plug-in module needs no line for it, and the one binding a test supplies replaces it everywhere
 * without an override. Classes built without Guice take the system ticker. Only what a metric
 * records reads it: timeouts and deadlines stay on the system clock.
 */
@ImplementedBy(SystemTicker.class)
@FunctionalInterface
public interface Ticker {
  /** Nanoseconds since an arbitrary origin; only differences between two reads mean anything. */
  long read();

  /** The system's monotonic clock, {@link System#nanoTime()}. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
