package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.time.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * At most {@code limit} requests at a time on one backend; the others wait in the proxy, high
 * before normal before low, first come first served within a priority, each at most its maximum
 * wait ({@code proxy.admission.*}), each wait recorded in {@link AdmissionMetrics}. Waiting happens
 * on the exchange's own thread, which streams the answer once admitted, so nothing is handed
 * between threads.
 *
 * <p>{@code tinyllm-executor}'s {@code PriorityRequestQueue} runs its jobs on worker threads of its
 * own; a proxied exchange must stay on its thread to stream, so this small gate is the fit.
 */
final class AdmissionGate {
  private final int limit;
  private final String backend;
  private final AdmissionMetrics metrics;
  private final Ticker ticker;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<Priority, ArrayDeque<Object>> waiting = new EnumMap<>(Priority.class);
  private int admitted;

  /** A gate of {@code limit} places on {@code backend}, its waits timed with {@code ticker}. */
  AdmissionGate(int limit, String backend, AdmissionMetrics metrics, Ticker ticker) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    this.limit = limit;
    this.backend = requireNonNull(backend, "backend is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.ticker = requireNonNull(ticker, "ticker is null");
    metrics.add(backend);
    for (Priority priority : Priority.values()) {
      waiting.put(priority, new ArrayDeque<>());
    }
  }

  /**
   * Waits for a place, at most {@code maxWait}; true when admitted (then {@link #release} follows).
   */
  boolean admit(Priority priority, Duration maxWait) throws InterruptedException {
    long start = ticker.read();
    metrics.startedWaiting(backend, priority);
    boolean refused = false;
    try {
      refused = !waitForPlace(priority, maxWait);
      return !refused;
    } finally {
      metrics.stoppedWaiting(backend, priority, Duration.ofNanos(ticker.read() - start), refused);
    }
  }

  private boolean waitForPlace(Priority priority, Duration maxWait) throws InterruptedException {
    Object me = new Object();
    long remaining = maxWait.toNanos();
    lock.lock();
    try {
      waiting.get(priority).addLast(me);
      changed.signalAll(); // for awaitWaiting; the others see they are still not first
      try {
        while (admitted >= limit || next() != me) {
          if (remaining <= 0) {
            return false;
          }
          remaining = changed.awaitNanos(remaining);
        }
        admitted++;
        return true;
      } finally {
        waiting.get(priority).remove(me);
        changed.signalAll(); // the next in line may have a place too, or be first now
      }
    } finally {
      lock.unlock();
    }
  }

  /** An admitted request is done with the backend. */
  void release() {
    lock.lock();
    try {
      admitted--;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until {@code count} requests wait, at most {@code timeout}; true if they do. */
  boolean awaitWaiting(int count, Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (waiting.values().stream().mapToInt(ArrayDeque::size).sum() != count) {
        if (remaining <= 0) {
          return false;
        }
        remaining = changed.awaitNanos(remaining);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private Object next() {
    for (Priority priority : Priority.values()) {
      Object first = waiting.get(priority).peekFirst();
      if (first != null) {
        return first;
      }
    }
    return null;
  }
}
