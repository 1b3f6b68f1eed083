package io.tinyllm.executor.queue;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;

/**
 * {@code queue.backpressure=block}: the submitter waits up to {@code queue.block-timeout} for
 * space, then the request is rejected.
 */
public final class BlockBackpressure implements Backpressure {
  public static final String NAME = "block";

  private final long timeoutNanos;

  @Inject
  public BlockBackpressure(QueueConfig config) {
    this.timeoutNanos = requireNonNull(config, "config is null").blockTimeout().toNanos();
  }

  @Override
  public boolean awaitSpace(Condition spaceFreed, BooleanSupplier mustReject)
      throws InterruptedException {
    long left = timeoutNanos;
    while (mustReject.getAsBoolean()) {
      if (left <= 0) {
        return false;
      }
      left = spaceFreed.awaitNanos(left);
    }
    return true;
  }
}
