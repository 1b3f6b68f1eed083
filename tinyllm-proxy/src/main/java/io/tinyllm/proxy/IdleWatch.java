package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends an answer whose Ollama fell silent: when one read of the answer has waited longer than the
 * idle timeout ({@code ollama.timeout.stream-idle}), the upstream connection is dropped, which ends
 * the read. Only time spent waiting for Ollama counts, never time spent writing to a slow client.
 */
final class IdleWatch implements AutoCloseable {
  private final Runnable drop;
  private final long idleNanos;
  private final ScheduledFuture<?> check;
  private volatile long readingSince = -1;
  private volatile boolean expired;

  /** Watches the reads of one answer; {@code drop} ends a read that waits too long. */
  IdleWatch(ScheduledExecutorService timer, Runnable drop, Duration idle) {
    this.drop = requireNonNull(drop, "drop is null");
    this.idleNanos = idle.toNanos();
    long period = Math.max(idle.toMillis() / 4, 10);
    check = timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  /** A read of the answer starts. */
  void reading() {
    readingSince = System.nanoTime();
  }

  /** The read returned. */
  void read() {
    readingSince = -1;
  }

  /** Whether the answer was closed for its silence. */
  boolean expired() {
    return expired;
  }

  private void check() {
    long since = readingSince;
    if (since >= 0 && System.nanoTime() - since > idleNanos) {
      expired = true;
      check.cancel(false);
      drop.run();
    }
  }

  @Override
  public void close() {
    check.cancel(false);
  }
}
