package io.tinyllm.proxy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Bytes a test upstream has received, which a test can wait on: each addition wakes waiters. */
final class ByteTally {
  private long total;

  /** Adds {@code bytes}; returns the new total. */
  synchronized long add(long bytes) {
    total += bytes;
    notifyAll();
    return total;
  }

  synchronized long get() {
    return total;
  }

  /** Waits until at least {@code bytes} arrived, at most {@code timeout}; true when they did. */
  synchronized boolean awaitAtLeast(long bytes, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (total < bytes) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }
}
