package io.tinyllm.executor.queue;

import io.tinyllm.api.queue.Priority;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A submitted request; exactly one outcome is let through. Its future is completed by whichever
 * thread settles the outcome (the worker, the submitter, the shutdown or the timer), never while
 * that thread holds the queue's lock or this job's monitor: the caller's dependent stages run
 * there.
 */
final class QueuedJob<T> {
  final Priority priority;
  final Callable<T> task;
  final CompletableFuture<T> future = new CancellableFuture();

  /**
   * When it was queued, on the queue's ticker: its recorded wait time, bounded by {@code
   * queue.max-wait}.
   */
  final long enqueuedTicks;

  private final AtomicBoolean ended = new AtomicBoolean();
  private final QueueMetrics metrics;
  private Thread runner;
  private boolean finished;

  QueuedJob(Priority priority, Callable<T> task, QueueMetrics metrics, long enqueuedTicks) {
    this.priority = priority;
    this.enqueuedTicks = enqueuedTicks;
    this.task = task;
    this.metrics = metrics;
  }

  boolean complete(T value) {
    if (!settle(QueueOutcome.COMPLETED)) {
      return false;
    }
    future.complete(value);
    return true;
  }

  boolean end(QueueOutcome outcome, Throwable error) {
    if (!settle(outcome)) {
      return false;
    }
    future.completeExceptionally(error);
    return true;
  }

  /** Whether the outcome is settled (a cancelled request is, before it runs). */
  boolean ended() {
    return ended.get();
  }

  synchronized void running(Thread thread) {
    runner = thread;
  }

  synchronized void finished() {
    finished = true;
  }

  /** Ends the job as timed out and interrupts its worker, unless it already finished. */
  void timeOut(Throwable error) {
    synchronized (this) {
      // the interrupt stays under the monitor: once finished, the worker may run another job
      if (finished || !settle(QueueOutcome.TIMED_OUT)) {
        return;
      }
      if (runner != null) {
        runner.interrupt();
      }
    }
    future.completeExceptionally(error);
  }

  private boolean settle(QueueOutcome outcome) {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    metrics.ended(priority, outcome);
    return true;
  }

  /**
   * The caller's cancellation settles the request as failed; as with {@code FutureTask}, once the
   * queue has settled it, cancelling is too late, and {@code cancel(true)} interrupts a running
   * request, so its worker is free at once rather than when the request would have ended.
   */
  private final class CancellableFuture extends CompletableFuture<T> {
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (QueuedJob.this) {
        if (!settle(QueueOutcome.FAILED)) {
          return isCancelled();
        }
        // under the monitor, as in timeOut: once finished, the worker may run another job
        if (mayInterruptIfRunning && runner != null && !finished) {
          runner.interrupt();
        }
      }
      return super.cancel(mayInterruptIfRunning);
    }
  }
}
