package io.tinyllm.api.concurrent;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count of work in progress that a caller can wait on to reach zero: exchanges open with a
 * backend, tasks running on an engine. Woken by the {@link #decrement} that brings it to zero, so
 * whoever waits (a test, a shutdown) needs no poll, and the hot path pays one atomic update and,
 * when it reaches zero, one more atomic read; the lock is taken only while someone waits.
 *
 * <pre>{@code
 * AwaitableCount inFlight = new AwaitableCount();
 * inFlight.increment();
 * try { ... } finally { inFlight.decrement(); }
 * boolean idle = inFlight.awaitZero(Duration.ofSeconds(10));
 * }</pre>
 */
public final class AwaitableCount {
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicInteger waiters = new AtomicInteger();
  private final Object zero = new Object();
  private volatile Runnable beforeWait = () -> {};

  /** One more in progress. */
  public void increment() {
    count.incrementAndGet();
  }

  /** One fewer in progress; the one that brings the count to zero wakes every waiter. */
  public void decrement() {
    if (count.decrementAndGet() == 0 && waiters.get() > 0) {
      synchronized (zero) {
        zero.notifyAll();
      }
    }
  }

  /** In progress now. */
  public int get() {
    return count.get();
  }

  /**
   * Waits until the count is zero, at most {@code timeout}; true when it was seen at zero.
   *
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public boolean awaitZero(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout is null");
    if (count.get() == 0) {
      return true;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    // registered before the count is read again: a decrement that reaches zero after that read
    // sees the waiter and notifies, under the lock this thread holds until it waits
    waiters.incrementAndGet();
    try {
      synchronized (zero) {
        while (count.get() != 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          beforeWait.run();
          TimeUnit.NANOSECONDS.timedWait(zero, left);
        }
        return true;
      }
    } finally {
      waiters.decrementAndGet();
    }
  }

  /**
   * For tests: runs {@code hook} under the lock just before a waiter sleeps, so a test knows the
   * waiter is asleep (a decrement cannot notify before the waiter lets go of the lock).
   */
  public void beforeWait(Runnable hook) {
    this.beforeWait = requireNonNull(hook, "hook is null");
  }
}
