package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters a test can read to check what reached the simulator: requests per endpoint and per
 * model, refusals, injected faults, and the most requests that ran at once. Thread-safe.
 */
public final class SimulatorStats {
  private final Map<Endpoint, LongAdder> byEndpoint = new EnumMap<>(Endpoint.class);
  private final Map<String, LongAdder> byModel = new ConcurrentHashMap<>();
  private final LongAdder unmatched = new LongAdder();
  private final LongAdder busy = new LongAdder();
  private final LongAdder faults = new LongAdder();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger peakActive = new AtomicInteger();

  SimulatorStats() {
    for (Endpoint endpoint : Endpoint.values()) {
      byEndpoint.put(endpoint, new LongAdder());
    }
  }

  /** Requests received on {@code endpoint} (every outcome counts). */
  public long requests(Endpoint endpoint) {
    return byEndpoint.get(requireNonNull(endpoint, "endpoint is null")).sum();
  }

  /** Requests naming {@code model} ({@code qwen2.5:0.5b}, or without tag for {@code latest}). */
  public long requestsForModel(String model) {
    LongAdder count = byModel.get(ModelName.normalize(requireNonNull(model, "model is null")));
    return count == null ? 0 : count.sum();
  }

  /** Requests on all endpoints, unmatched ones included. */
  public long totalRequests() {
    long total = unmatched.sum();
    for (LongAdder count : byEndpoint.values()) {
      total += count.sum();
    }
    return total;
  }

  /** Requests to an unknown path or with a method the path does not route (404/405). */
  public long unmatchedRequests() {
    return unmatched.sum();
  }

  /** Requests refused with 503 because too many were running or queued. */
  public long busyRejections() {
    return busy.sum();
  }

  /** Requests that suffered an injected fault. */
  public long injectedFaults() {
    return faults.sum();
  }

  /** Inference requests running or queued right now. */
  public int activeRequests() {
    return active.get();
  }

  /** The most inference requests admitted at once since start or {@link #reset()}. */
  public int peakActiveRequests() {
    return peakActive.get();
  }

  /** A snapshot of the per-endpoint counts. */
  public Map<Endpoint, Long> byEndpoint() {
    Map<Endpoint, Long> snapshot = new EnumMap<>(Endpoint.class);
    byEndpoint.forEach((endpoint, count) -> snapshot.put(endpoint, count.sum()));
    return snapshot;
  }

  /** A snapshot of the per-model counts, sorted by model name. */
  public Map<String, Long> byModel() {
    Map<String, Long> snapshot = new TreeMap<>();
    byModel.forEach((model, count) -> snapshot.put(model, count.sum()));
    return snapshot;
  }

  /** Sets every counter back to zero (requests running now still finish normally). */
  public void reset() {
    byEndpoint.values().forEach(LongAdder::reset);
    byModel.clear();
    unmatched.reset();
    busy.reset();
    faults.reset();
    peakActive.set(active.get());
  }

  void recordEndpoint(Endpoint endpoint) {
    byEndpoint.get(endpoint).increment();
  }

  void recordModel(String normalizedModel) {
    byModel.computeIfAbsent(normalizedModel, m -> new LongAdder()).increment();
  }

  void recordUnmatched() {
    unmatched.increment();
  }

  void recordBusy() {
    busy.increment();
  }

  void recordFault() {
    faults.increment();
  }

  void enter() {
    int now = active.incrementAndGet();
    peakActive.accumulateAndGet(now, Math::max);
  }

  void leave() {
    active.decrementAndGet();
  }
}
