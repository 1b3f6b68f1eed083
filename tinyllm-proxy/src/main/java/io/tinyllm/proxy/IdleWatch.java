package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

/**
 * The watch on one answer's reads, for {@link IdleWatches}: when one read has waited longer than
 * the idle timeout ({@code ollama.timeout.stream-idle}), the upstream connection is dropped, which
 * ends the read. Only time spent waiting for Ollama counts, never time spent writing to a slow
 * client.
 */
final class IdleWatch implements AutoCloseable {
  private final IdleWatches watches;
  private final Runnable drop;
  private volatile long readingSince = -1;
  private volatile boolean expired;

  IdleWatch(IdleWatches watches, Runnable drop) {
    this.watches = requireNonNull(watches, "watches is null");
    this.drop = requireNonNull(drop, "drop is null");
  }

  /** A read of the answer starts. */
  void reading() {
    readingSince = System.nanoTime();
  }

  /** The read returned. */
  void read() {
    readingSince = -1;
  }

  /** Whether the answer was dropped for its silence. */
  boolean expired() {
    return expired;
  }

  /** Drops the answer if a read has waited longer than {@code idleNanos} at {@code now}. */
  void check(long now, long idleNanos) {
    long since = readingSince;
    if (since >= 0 && now - since > idleNanos && !expired) {
      expired = true;
      drop.run();
    }
  }

  @Override
  public void close() {
    watches.remove(this);
  }
}
