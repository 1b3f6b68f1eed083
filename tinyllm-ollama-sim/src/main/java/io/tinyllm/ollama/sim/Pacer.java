package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Every wait of the simulator goes through here: each is bounded by its own duration and ends at
 * once when the simulator stops, so {@link OllamaSimulator#close()} never waits for a slow model or
 * a hung request.
 */
final class Pacer {
  private final double timeScale;
  private final CountDownLatch stopped;

  Pacer(double timeScale, CountDownLatch stopped) {
    this.timeScale = timeScale;
    this.stopped = requireNonNull(stopped, "stopped is null");
  }

  /** A simulated duration in nanoseconds after applying the configured time scale. */
  long scaled(Duration duration) {
    double nanos = duration.toNanos() * timeScale;
    return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.round(nanos);
  }

  /**
   * Sleeps {@code nanos} (unscaled).
   *
   * @throws AbortConnectionException if the simulator stops meanwhile
   */
  void sleepNanos(long nanos) {
    if (nanos > 0 && awaitStop(nanos)) {
      throw new AbortConnectionException("simulator stopping");
    }
  }

  /** Sleeps until {@link System#nanoTime()} reaches {@code deadline}. */
  void sleepUntil(long deadline) {
    sleepNanos(deadline - System.nanoTime());
  }

  /** Sleeps {@code duration} (unscaled: fault delays are meant literally). */
  void sleep(Duration duration) {
    sleepNanos(duration.toNanos());
  }

  /**
   * Holds a request open until {@code max} elapses or the simulator stops, then drops the
   * connection: a hung server as seen by the client.
   */
  void holdThenDrop(Duration max) {
    awaitStop(max.toNanos());
    throw new AbortConnectionException("held request released");
  }

  private boolean awaitStop(long nanos) {
    try {
      return stopped.await(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
