package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * Every wait of the simulator goes through here: each is bounded by its own duration and ends at
 * once when the simulator stops, so {@link OllamaSimulator#close()} never waits for a slow model or
 * a hung request.
 */
final class Pacer {
  /** How often the unbounded waits look whether the simulator is stopping. */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

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

  /**
   * Waits until {@code latch} opens or {@code max} elapses (unscaled).
   *
   * @return whether the latch opened
   * @throws AbortConnectionException if the simulator stops meanwhile
   */
  boolean await(CountDownLatch latch, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    for (long left = max.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      long slice = Math.min(left, POLL_NANOS);
      if (interruptibly(() -> latch.await(slice, TimeUnit.NANOSECONDS))) {
        return true;
      }
      checkRunning();
    }
    return latch.getCount() == 0;
  }

  /**
   * Takes a permit of {@code permits}, waiting as long as it takes (a queued Ollama request waits
   * until its client gives up).
   *
   * @throws AbortConnectionException if the simulator stops meanwhile
   */
  void acquire(Semaphore permits) {
    while (!interruptibly(() -> permits.tryAcquire(POLL_NANOS, TimeUnit.NANOSECONDS))) {
      checkRunning();
    }
  }

  /**
   * Takes {@code lock}, waiting as long as it takes.
   *
   * @throws AbortConnectionException if the simulator stops meanwhile
   */
  void lock(Lock lock) {
    while (!interruptibly(() -> lock.tryLock(POLL_NANOS, TimeUnit.NANOSECONDS))) {
      checkRunning();
    }
  }

  /**
   * Waits on {@code monitor} (held by the caller) for a notification or a short while, so the
   * caller can test its condition again.
   *
   * @throws AbortConnectionException if the simulator stops
   */
  void waitOn(Object monitor) {
    checkRunning();
    interruptibly(
        () -> {
          TimeUnit.NANOSECONDS.timedWait(monitor, POLL_NANOS);
          return true;
        });
  }

  /**
   * Fails if the simulator is stopping.
   *
   * @throws AbortConnectionException if it is
   */
  void checkRunning() {
    if (stopped.getCount() == 0) {
      throw new AbortConnectionException("simulator stopping");
    }
  }

  /** A wait that may be interrupted. */
  private interface Wait {
    boolean run() throws InterruptedException;
  }

  private static boolean interruptibly(Wait wait) {
    try {
      return wait.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AbortConnectionException("interrupted");
    }
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
