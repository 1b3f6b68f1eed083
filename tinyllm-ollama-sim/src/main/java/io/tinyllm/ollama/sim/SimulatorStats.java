package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * Counters a test can read to check what reached the simulator: requests per endpoint and per
 * model, refusals, injected faults, model loads, and how many inference requests were in the
 * scheduler (queued or running) and running (holding a parallel slot) at once. Thread-safe.
 */
public final class SimulatorStats {
  private final Map<Endpoint, LongAdder> byEndpoint = new EnumMap<>(Endpoint.class);
  private final Map<String, LongAdder> byModel = new ConcurrentHashMap<>();
  private final LongAdder unmatched = new LongAdder();
  private final LongAdder busy = new LongAdder();
  private final LongAdder faults = new LongAdder();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger peakActive = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger peakRunning = new AtomicInteger();
  private final LongAdder loads = new LongAdder();
  private final Object changes = new Object();
  private volatile Runnable beforeWait = () -> {};

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

  /**
   * Waits until {@code endpoint} has received at least {@code count} requests, at most {@code
   * timeout}: woken by each request, so it ends as the request arrives.
   *
   * @return whether it has; false if {@code timeout} elapsed first
   */
  public boolean awaitRequests(Endpoint endpoint, long count, Duration timeout)
      throws InterruptedException {
    requireNonNull(endpoint, "endpoint is null");
    return await(() -> requests(endpoint) >= count, timeout);
  }

  /**
   * Waits until at least {@code count} inference requests are in the scheduler at once (see {@link
   * #activeRequests()}), at most {@code timeout}: woken by each request entering it.
   *
   * @return whether they are; false if {@code timeout} elapsed first
   */
  public boolean awaitActiveRequests(int count, Duration timeout) throws InterruptedException {
    return await(() -> activeRequests() >= count, timeout);
  }

  /**
   * Waits until at most {@code count} inference requests are in the scheduler (0: none, every
   * answer written and its slot given back), at most {@code timeout}: woken by each request leaving
   * it.
   *
   * @return whether they are; false if {@code timeout} elapsed first
   */
  public boolean awaitActiveRequestsAtMost(int count, Duration timeout)
      throws InterruptedException {
    return await(() -> activeRequests() <= count, timeout);
  }

  /**
   * Waits until at least {@code count} requests have suffered an injected fault, at most {@code
   * timeout}: woken as each is counted, just before it acts (a hung request is then about to be
   * held).
   *
   * @return whether they have; false if {@code timeout} elapsed first
   */
  public boolean awaitInjectedFaults(long count, Duration timeout) throws InterruptedException {
    return await(() -> injectedFaults() >= count, timeout);
  }

  private boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (changes) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        beforeWait.run();
        changes.wait(Math.max(1, left / 1_000_000));
      }
    }
    return true;
  }

  /**
   * Runs {@code hook} in the {@code await} methods just before a waiter blocks, holding the lock a
   * count's change needs to wake it: lets a test change a count knowing the waiter is asleep.
   */
  void beforeWait(Runnable hook) {
    beforeWait = requireNonNull(hook, "hook is null");
  }

  /** Wakes the waiters of the {@code await} methods: a count they may wait on changed. */
  private void changed() {
    synchronized (changes) {
      changes.notifyAll();
    }
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

  /** Requests refused with 503 because the pending queue (OLLAMA_MAX_QUEUE) was full. */
  public long busyRejections() {
    return busy.sum();
  }

  /** Requests that suffered an injected fault. */
  public long injectedFaults() {
    return faults.sum();
  }

  /** Inference requests in the scheduler right now: waiting for a load or a slot, or running. */
  public int activeRequests() {
    return active.get();
  }

  /** The most inference requests in the scheduler at once since start or {@link #reset()}. */
  public int peakActiveRequests() {
    return peakActive.get();
  }

  /** Inference requests holding a parallel slot of their model right now (evaluating). */
  public int runningRequests() {
    return running.get();
  }

  /**
   * The most inference requests holding a slot at once since start or {@link #reset()}; with one
   * model in use it never exceeds {@link SimulatorConfig#numParallel()}.
   */
  public int peakRunningRequests() {
    return peakRunning.get();
  }

  /** Model loads (and reloads) since start or {@link #reset()}: each paid the model's load time. */
  public long modelLoads() {
    return loads.sum();
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
    peakRunning.set(running.get());
    loads.reset();
  }

  void recordEndpoint(Endpoint endpoint) {
    byEndpoint.get(endpoint).increment();
    changed();
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
    changed();
  }

  void enter() {
    int now = active.incrementAndGet();
    peakActive.accumulateAndGet(now, Math::max);
    changed();
  }

  void leave() {
    active.decrementAndGet();
    changed();
  }

  void startRunning() {
    int now = running.incrementAndGet();
    peakRunning.accumulateAndGet(now, Math::max);
  }

  void stopRunning() {
    running.decrementAndGet();
  }

  void recordLoad() {
    loads.increment();
  }
}
