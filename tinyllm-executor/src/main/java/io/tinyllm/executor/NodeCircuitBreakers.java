package io.tinyllm.executor;

import io.tinyllm.api.error.CircuitOpenException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One circuit breaker per graph node: opens after {@code threshold} consecutive failures, rejects
 * calls for {@code cooldown}, then lets one trial call through (half-open) that closes it on
 * success or opens it again on failure.
 */
final class NodeCircuitBreakers {
  private final int threshold;
  private final long cooldownNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

  NodeCircuitBreakers(int threshold, Duration cooldown, LongSupplier nanoTime) {
    this.threshold = threshold;
    this.cooldownNanos = cooldown.toNanos();
    this.nanoTime = nanoTime;
  }

  /** Throws {@link CircuitOpenException} when the node's breaker is open. */
  void acquire(String graph, String node) {
    Breaker b = breakers.computeIfAbsent(graph + "\u0000" + node, k -> new Breaker());
    synchronized (b) {
      if (b.openedAt == null) {
        return;
      }
      long now = nanoTime.getAsLong();
      if (now - b.openedAt >= cooldownNanos && !b.trialInFlight) {
        b.trialInFlight = true;
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
        b.failures = 0;
        b.openedAt = null;
        b.trialInFlight = false;
      }
    }
  }

  void failed(String graph, String node) {
    Breaker b = breakers.computeIfAbsent(graph + "\u0000" + node, k -> new Breaker());
    synchronized (b) {
      b.failures++;
      if (b.trialInFlight || b.failures >= threshold) {
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
