package io.tinyllm.metrics.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link HeaderDeadlineExecutor#awaitStarted}: woken as each task begins, bounded by its timeout.
 */
class HeaderDeadlineExecutorTest {
  private static final long LIMIT_SECONDS = 10;

  @Test
  void aBeginningTaskWakesTheWaiter() throws Exception {
    try (HeaderDeadlineExecutor executor = new HeaderDeadlineExecutor(2, Duration.ofMinutes(5))) {
      assertThat(executor.awaitStarted(0, Duration.ZERO)).isTrue();
      assertThat(executor.awaitStarted(1, Duration.ofMillis(1))).as("nothing ran yet").isFalse();
      CountDownLatch asleep = new CountDownLatch(1);
      executor.beforeStartedWait(asleep::countDown);

      // a bound far beyond the test's: a waiter that returns true was woken
      CompletableFuture<Boolean> started =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return executor.awaitStarted(2, Duration.ofDays(1));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return false;
                }
              });
      assertThat(asleep.await(LIMIT_SECONDS, TimeUnit.SECONDS)).as("the waiter is asleep").isTrue();
      CountDownLatch ran = new CountDownLatch(2);
      executor.execute(ran::countDown);
      executor.execute(ran::countDown);

      assertThat(started.get(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(ran.await(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }
  }
}
