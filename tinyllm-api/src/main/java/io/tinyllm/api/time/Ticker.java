package io.tinyllm.api.time;

import com.google.inject.ImplementedBy;

/**
 * Where everything that times what a metric records reads the time: a nanosecond counter with an
 * arbitrary origin, like {@link System#nanoTime()}. Production uses {@link #system()}; a test binds
 * its own to make every duration, and so every histogram bucket, exact.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(Modules.override(plugins)
 *     .with(binder -> binder.bind(Ticker.class).toInstance(fakeTicker)));
 * }</pre>
 *
 * <p>Without a binding of its own, Guice injects {@link SystemTicker}, so a plug-in module needs no
 * line for it and one binding a test supplies replaces it everywhere. Classes built without Guice
 * take the system ticker by default.
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
