package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link GraphEngine#awaitIdle}: woken by the engine task that ends last, bounded by its timeout.
 */
class GraphEngineIdleTest {
  @Test
  void theLastTaskToEndWakesTheWaiter() throws Exception {
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "unused"))) {
      assertThat(f.engine.awaitIdle(Duration.ZERO)).as("nothing ran yet").isTrue();
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch running = new CountDownLatch(2);
      for (int i = 0; i < 2; i++) {
        assertThat(
                f.engine.tryExecute(
                    () -> {
                      running.countDown();
                      Await.until(release, "the test released the task");
                    }))
            .isTrue();
      }
      Await.until(running, "both tasks run");
      assertThat(f.engine.awaitIdle(Duration.ofMillis(1))).as("two tasks still run").isFalse();

      // a bound far beyond the test's: a waiter that returns true was woken
      CountDownLatch asleep = new CountDownLatch(1);
      f.engine.beforeIdleWait(asleep::countDown);
      CompletableFuture<Boolean> idle =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return f.engine.awaitIdle(Duration.ofDays(1));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return false;
                }
              });
      Await.until(asleep, "the waiter is asleep");
      release.countDown();

      assertThat(idle.get(Await.LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aRefusedTaskLeavesTheEngineIdle() throws Exception {
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "unused"))) {
      f.engine.close();

      assertThat(f.engine.tryExecute(() -> {})).isFalse();
      assertThat(f.engine.awaitIdle(Duration.ZERO)).isTrue();
    }
  }
}
