package io.tinyllm.api.queue;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * A bounded priority queue of work run by a pool of workers. Every submitted task ends exactly
 * once: completed, failed, timed out or rejected (a {@link
 * io.tinyllm.api.error.QueueRejectedException}).
 */
public interface RequestQueue extends AutoCloseable {
  <T> CompletableFuture<T> submit(Priority priority, Callable<T> task);

  /** Tasks waiting (not yet running). */
  int size();

  /** Stops accepting work, lets queued work finish for up to {@code drainTimeout}. */
  void shutdown(Duration drainTimeout);

  @Override
  default void close() {
    shutdown(Duration.ofSeconds(30));
  }
}
