package io.tinyllm.api.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AwaitableCount#awaitZero}: woken by the decrement that reaches zero, bounded by its
 * timeout.
 */
class AwaitableCountTest {
  /** Far beyond the test's own bound: a waiter that returns did so because it was woken. */
  private static final Duration FOREVER = Duration.ofDays(1);

  private final AwaitableCount count = new AwaitableCount();
  private final ExecutorService waiters = Executors.newCachedThreadPool();

  @AfterEach
  void stopWaiters() {
    waiters.shutdownNow();
  }

  @Test
  void zeroReturnsAtOnce() throws Exception {
    assertThat(count.awaitZero(Duration.ZERO)).isTrue();

    count.increment();
    count.decrement();

    assertThat(count.awaitZero(Duration.ZERO)).isTrue();
  }

  @Test
  void aCountAboveZeroIsNotZeroByTheDeadline() throws Exception {
    count.increment();

    assertThat(count.awaitZero(Duration.ZERO)).isFalse();
    assertThat(count.awaitZero(Duration.ofMillis(1))).isFalse();
    assertThat(count.get()).isEqualTo(1);
  }

  @Test
  void theDecrementToZeroWakesTheWaiter() throws Exception {
    count.increment();
    count.increment();
    CountDownLatch asleep = new CountDownLatch(1);
    count.beforeWait(asleep::countDown);

    Future<Boolean> idle = waiters.submit(() -> count.awaitZero(FOREVER));
    // the hook runs under the lock decrement() needs to notify: the waiter is asleep once it let go
    assertThat(asleep.await(10, TimeUnit.SECONDS)).as("the waiter blocked").isTrue();
    count.decrement(); // one still open: the waiter sleeps on
    assertThat(idle.isDone()).isFalse();
    count.decrement();

    assertThat(idle.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(count.get()).isZero();
  }

  @Test
  void everyWaiterIsWoken() throws Exception {
    count.increment();
    CountDownLatch asleep = new CountDownLatch(3);
    count.beforeWait(asleep::countDown);

    CompletableFuture<?>[] idle = new CompletableFuture<?>[3];
    for (int i = 0; i < idle.length; i++) {
      idle[i] = CompletableFuture.supplyAsync(this::awaitZeroForever, waiters);
    }
    assertThat(asleep.await(10, TimeUnit.SECONDS)).as("every waiter blocked").isTrue();
    count.decrement();

    CompletableFuture.allOf(idle).get(10, TimeUnit.SECONDS);
    for (CompletableFuture<?> waiter : idle) {
      assertThat(waiter.get()).isEqualTo(true);
    }
  }

  private boolean awaitZeroForever() {
    try {
      return count.awaitZero(FOREVER);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
