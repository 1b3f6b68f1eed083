package io.tinyllm.ollama;

import java.util.function.LongSupplier;

/**
 * A token bucket: holds at most {@code capacity} tokens, gains {@code ratePerSecond} tokens a
 * second, and every permit takes one. A full bucket lets a burst of {@code capacity} calls through
 * at once; after that calls are spaced {@code 1 / ratePerSecond} apart.
 *
 * <p>A permit that is not at hand is reserved: the balance goes below zero, and the caller sleeps
 * until the bucket would have refilled to it. Reservations are first come, first served, so waiting
 * callers never starve one another. Resilience4j's {@code RateLimiter} is a fixed-window limiter (a
 * full window refill at each period's start), which lets up to twice the limit through around a
 * window edge; this class does not.
 */
final class TokenBucket {
  private final double capacity;
  private final double tokensPerNano;
  private final LongSupplier nanoTime;
  private double tokens;
  private long updatedAt;

  TokenBucket(double ratePerSecond, int capacity, LongSupplier nanoTime) {
    if (ratePerSecond <= 0 || capacity < 1) {
      throw new IllegalArgumentException("rate and capacity must be positive");
    }
    this.capacity = capacity;
    this.tokensPerNano = ratePerSecond / 1e9;
    this.nanoTime = nanoTime;
    this.tokens = capacity;
    this.updatedAt = nanoTime.getAsLong();
  }

  /**
   * Takes a permit, reserving a future one if none is at hand.
   *
   * @return nanoseconds the caller must wait before using the permit ({@code 0} if it may go now),
   *     or {@code -1} if the wait would exceed {@code maxWaitNanos} (nothing was taken)
   */
  synchronized long reserve(long maxWaitNanos) {
    long now = nanoTime.getAsLong();
    tokens = Math.min(capacity, tokens + (now - updatedAt) * tokensPerNano);
    updatedAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    long wait = (long) Math.ceil((1 - tokens) / tokensPerNano);
    if (wait > maxWaitNanos) {
      return -1;
    }
    tokens -= 1;
    return wait;
  }

  /** Gives back a reserved permit that will not be used (its caller was cancelled). */
  synchronized void refund() {
    tokens = Math.min(capacity, tokens + 1);
  }

  /** Tokens at hand now (negative while permits are reserved ahead). */
  synchronized double available() {
    long now = nanoTime.getAsLong();
    return Math.min(capacity, tokens + (now - updatedAt) * tokensPerNano);
  }
}
