package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Bounded waits for what happens on another thread. */
final class Await {
  /** The longest wait: generous, since the outcome never depends on how long it takes. */
  static final Duration LIMIT = Duration.ofSeconds(30);

  private Await() {}

  /** Waits for {@code latch} at most {@link #LIMIT}; fails naming {@code what}. */
  static void until(CountDownLatch latch, String what) {
    try {
      assertThat(latch.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("within " + LIMIT + ": " + what)
          .isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting until " + what, e);
    }
  }
}
