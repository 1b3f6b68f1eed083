package io.tinyllm.ollama.sim;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ollama's scheduler limits: {@code maxParallel} requests run at once (OLLAMA_NUM_PARALLEL), up to
 * {@code maxQueue} more wait (OLLAMA_MAX_QUEUE), and any request beyond that is refused at once
 * with 503 and Ollama's exact message. A queued request waits at most {@code maxWait}.
 */
final class Admission {
  /** Ollama's {@code ErrMaxQueue} text, two spaces included. */
  static final String BUSY = "server busy, please try again.  maximum pending requests exceeded";

  private final int maxParallel;
  private final int maxQueue;
  private final Duration maxWait;
  private final Semaphore running;
  private final AtomicInteger pending = new AtomicInteger();

  Admission(int maxParallel, int maxQueue, Duration maxWait) {
    this.maxParallel = maxParallel;
    this.maxQueue = maxQueue;
    this.maxWait = maxWait;
    this.running = new Semaphore(maxParallel, true);
  }

  /**
   * Reserves a place for one request, running or queued; the caller must then {@link #await()}.
   *
   * @throws ApiException 503 when all places are taken
   */
  void reserve() {
    if (pending.incrementAndGet() > maxParallel + maxQueue) {
      pending.decrementAndGet();
      throw new ApiException(503, BUSY);
    }
  }

  /**
   * Waits (at most {@code maxWait}) for a running slot for a reserved request; the caller must
   * {@link #leave()} exactly once afterwards.
   *
   * @throws ApiException 503 when the wait timed out (the reservation is then given back)
   */
  void await() {
    boolean acquired = false;
    try {
      acquired = running.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!acquired) {
      pending.decrementAndGet();
      throw new ApiException(503, BUSY);
    }
  }

  /** Releases what {@link #enter()} took. */
  void leave() {
    running.release();
    pending.decrementAndGet();
  }
}
