package io.tinyllm.executor.queue;

import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;

/** What {@link PriorityRequestQueue#submit} does when the queue is full. */
public interface Backpressure {
  /**
   * Called with the queue's lock held while it is full: waits on {@code spaceFreed} (or not) and
   * tells whether the request may now be queued. {@code mustReject} is true once the queue is full
   * or shutting down.
   */
  boolean awaitSpace(Condition spaceFreed, BooleanSupplier mustReject) throws InterruptedException;
}
