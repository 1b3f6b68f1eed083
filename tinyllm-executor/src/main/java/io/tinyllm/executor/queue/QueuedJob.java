package io.tinyllm.executor.queue;

import io.tinyllm.api.queue.Priority;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** A submitted request; {@link #end} lets exactly one outcome through. */
final class QueuedJob<T> {
  final Priority priority;
  final Callable<T> task;
  final CompletableFuture<T> future = new CompletableFuture<>();
  final long enqueuedNanos = System.nanoTime();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final QueueMetrics metrics;
  private Thread runner;
  private boolean finished;

  QueuedJob(Priority priority, Callable<T> task, QueueMetrics metrics) {
    this.priority = priority;
    this.task = task;
    this.metrics = metrics;
  }

  boolean complete(T value) {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    metrics.ended(priority, QueueOutcome.COMPLETED);
    future.complete(value);
    return true;
  }

  boolean end(QueueOutcome outcome, Throwable error) {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    metrics.ended(priority, outcome);
    future.completeExceptionally(error);
    return true;
  }

  synchronized void running(Thread thread) {
    runner = thread;
  }

  synchronized void finished() {
    finished = true;
  }

  /** Ends the job as timed out and interrupts its worker, unless it already finished. */
  synchronized void timeOut(Throwable error) {
    if (!finished && end(QueueOutcome.TIMED_OUT, error) && runner != null) {
      runner.interrupt();
    }
  }
}
