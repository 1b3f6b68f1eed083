package io.tinyllm.executor.queue;

import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;

/** {@code queue.backpressure=reject}: a request that finds the queue full is rejected at once. */
public final class RejectBackpressure implements Backpressure {
  public static final String NAME = "reject";

  @Override
  public boolean awaitSpace(Condition spaceFreed, BooleanSupplier mustReject) {
    return false;
  }
}
