package io.tinyllm.executor;

import io.tinyllm.api.error.CircuitOpenException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One circuit breaker per graph node: opens after {@code threshold} consecutive failures, rejects
 * calls for {@code cooldown}, then lets one trial call through (half-open) that closes it on
 * success or opens it again on failure. Each state a breaker enters (closed when it is created)
 * goes to a {@link StateListener}.
 */
final class NodeCircuitBreakers {
  static final int CLOSED = 0;
  static final int HALF_OPEN = 1;
  static final int OPEN = 2;

  /**
   * Told each state a node's breaker enters: {@link #CLOSED}, {@link #HALF_OPEN}, {@link #OPEN}.
   */
  interface StateListener {
    void stateChanged(String graph, String node, int state);
  }

  private final int threshold;
  private final long cooldownNanos;
  private final LongSupplier nanoTime;
  private final StateListener listener;
  private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

  NodeCircuitBreakers(
      int threshold, Duration cooldown, LongSupplier nanoTime, StateListener listener) {
    this.threshold = threshold;
    this.cooldownNanos = cooldown.toNanos();
    this.nanoTime = nanoTime;
    this.listener = listener;
  }

  private Breaker breaker(String graph, String node) {
    return breakers.computeIfAbsent(
        graph + "\u0000" + node,
        k -> {
          listener.stateChanged(graph, node, CLOSED);
          return new Breaker();
        });
  }

  /** Throws {@link CircuitOpenException} when the node's breaker is open. */
  void acquire(String graph, String node) {
    Breaker b = breaker(graph, node);
    synchronized (b) {
      if (b.openedAt == null) {
        return;
      }
      long now = nanoTime.getAsLong();
      if (now - b.openedAt >= cooldownNanos && !b.trialInFlight) {
        b.trialInFlight = true;
        listener.stateChanged(graph, node, HALF_OPEN);
        return;
      }
      throw new CircuitOpenException(
          "Circuit breaker of node '" + node + "' in graph '" + graph + "' is open");
    }
  }

  void succeeded(String graph, String node) {
    Breaker b = breakers.get(graph + "\u0000" + node);
    if (b != null) {
      synchronized (b) {
        if (b.openedAt != null) {
          listener.stateChanged(graph, node, CLOSED);
        }
        b.failures = 0;
        b.openedAt = null;
        b.trialInFlight = false;
      }
    }
  }

  void failed(String graph, String node) {
    Breaker b = breaker(graph, node);
    synchronized (b) {
      b.failures++;
      if (b.trialInFlight || b.failures >= threshold) {
        if (b.openedAt == null || b.trialInFlight) {
          listener.stateChanged(graph, node, OPEN);
        }
        b.openedAt = nanoTime.getAsLong();
      }
      b.trialInFlight = false;
    }
  }

  boolean isOpen(String graph, String node) {
    Breaker b = breakers.get(graph + "\u0000" + node);
    if (b == null) {
      return false;
    }
    synchronized (b) {
      return b.openedAt != null;
    }
  }

  private static final class Breaker {
    int failures;
    Long openedAt;
    boolean trialInFlight;
  }
}
