package io.tinyllm.it.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Bounded polling for what a container does in its own time (Prometheus scrapes every second): the
 * assertion is retried until it passes or the deadline, then its last failure is thrown.
 *
 * <pre>{@code
 * Polling.untilAsserted(Duration.ofSeconds(60), () -> assertThat(api.query("up")).hasSize(2));
 * }</pre>
 */
public final class Polling {
  private static final Duration INTERVAL = Duration.ofMillis(500);

  private Polling() {}

  public static void untilAsserted(Duration timeout, Check check) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError | Exception e) {
        if (System.nanoTime() - deadline >= 0) {
          throw new AssertionError("Still failing after " + timeout + ": " + e.getMessage(), e);
        }
      }
      TimeUnit.NANOSECONDS.sleep(INTERVAL.toNanos());
    }
  }

  /** An assertion that may also fail by throwing (an HTTP call, say). */
  @FunctionalInterface
  public interface Check {
    void run() throws Exception;
  }
}
