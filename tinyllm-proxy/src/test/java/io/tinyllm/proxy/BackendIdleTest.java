package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Backend#awaitIdle}: woken by the exchange that ends last, bounded by its timeout. */
class BackendIdleTest {
  /** Far beyond the test's own bound: a waiter that returns did so because it was woken. */
  private static final Duration FOREVER = Duration.ofDays(1);

  private final Backend backend = new Backend("a", URI.create("http://127.0.0.1:11434"));
  private final ExecutorService waiters = Executors.newCachedThreadPool();

  @AfterEach
  void stopWaiters() {
    waiters.shutdownNow();
  }

  @Test
  void idleBackendReturnsAtOnce() throws Exception {
    assertThat(backend.awaitIdle(Duration.ZERO)).isTrue();

    backend.started();
    backend.ended();

    assertThat(backend.awaitIdle(Duration.ZERO)).isTrue();
  }

  @Test
  void busyBackendIsNotIdleByTheDeadline() throws Exception {
    backend.started();

    assertThat(backend.awaitIdle(Duration.ZERO)).isFalse();
    assertThat(backend.awaitIdle(Duration.ofMillis(1))).isFalse();
    assertThat(backend.inFlight()).isEqualTo(1);
  }

  @Test
  void lastEndedExchangeWakesTheWaiter() throws Exception {
    backend.started();
    backend.started();
    CountDownLatch asleep = new CountDownLatch(1);
    backend.beforeIdleWait(asleep::countDown);

    Future<Boolean> idle = waiters.submit(() -> backend.awaitIdle(FOREVER));
    // the hook runs under the lock ended() needs to notify: the waiter is asleep once it let go
    assertThat(asleep.await(10, TimeUnit.SECONDS)).as("the waiter blocked").isTrue();
    backend.ended(); // one still open: the waiter sleeps on
    assertThat(idle.isDone()).isFalse();
    backend.ended();

    assertThat(idle.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(backend.inFlight()).isZero();
  }

  @Test
  void everyWaiterIsWoken() throws Exception {
    backend.started();
    CountDownLatch asleep = new CountDownLatch(3);
    backend.beforeIdleWait(asleep::countDown);

    CompletableFuture<?>[] idle = new CompletableFuture<?>[3];
    for (int i = 0; i < idle.length; i++) {
      idle[i] = CompletableFuture.supplyAsync(this::awaitIdleForever, waiters);
    }
    assertThat(asleep.await(10, TimeUnit.SECONDS)).as("every waiter blocked").isTrue();
    backend.ended();

    CompletableFuture.allOf(idle).get(10, TimeUnit.SECONDS);
    for (CompletableFuture<?> waiter : idle) {
      assertThat(waiter.get()).isEqualTo(true);
    }
  }

  private boolean awaitIdleForever() {
    try {
      return backend.awaitIdle(FOREVER);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
