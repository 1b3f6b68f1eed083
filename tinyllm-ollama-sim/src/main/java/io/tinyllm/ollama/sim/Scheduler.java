package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Ollama's scheduler as the simulator plays it (Ollama v0.13.5, {@code server/sched.go} and the
 * runner's semaphore in {@code llm/server.go}):
 *
 * <ul>
 *   <li>A request for a loaded model whose runner options match takes the runner at once ({@code
 *       Scheduler.GetRunner}, {@code useLoadedRunner}), then waits for one of its parallel slots
 *       ({@code llmServer.Completion} acquires a semaphore of {@code OLLAMA_NUM_PARALLEL}) as long
 *       as it takes: it is never refused.
 *   <li>Any other request joins the pending queue ({@code pendingReqCh}, {@code OLLAMA_MAX_QUEUE}
 *       places); when that is full it is refused at once with 503 and {@code ErrMaxQueue}. Pending
 *       requests are handled one at a time ({@code processPending}): load the model, or reload it
 *       once the requests using the old runner are done.
 *   <li>A request's {@code keep_alive} becomes the runner's session duration; a request without one
 *       leaves it as it is; a load without one uses the default ({@code OLLAMA_KEEP_ALIVE}). The
 *       runner unloads that long after its last request ends ({@code processCompleted}).
 * </ul>
 *
 * <p>Each runner also remembers its recent token sequences, standing in for the runner's prompt
 * cache: a prompt sharing a prefix with one of them is evaluated from where they differ.
 */
final class Scheduler {
  /** Ollama's {@code ErrMaxQueue} text (server/sched.go), two spaces included. */
  static final String BUSY = "server busy, please try again.  maximum pending requests exceeded";

  private static final Duration FOREVER_SPAN = Duration.ofDays(365L * 290);

  private final int numParallel;
  private final int maxQueue;
  private final Duration defaultKeepAlive;
  private final boolean cpuOnly;
  private final Pacer pacer;
  private final SimulatorStats stats;
  private final Object lock = new Object();
  // what keep-alive expiry is read against (tests move it)
  private final Clock clock;
  private final Map<String, Runner> runners = new HashMap<>();
  // processPending serves one pending request at a time; fair, so they go in arrival order
  private final ReentrantLock scheduling = new ReentrantLock(true);
  private int pending;

  Scheduler(
      int numParallel,
      int maxQueue,
      Duration defaultKeepAlive,
      boolean cpuOnly,
      Pacer pacer,
      SimulatorStats stats,
      Clock clock) {
    this.numParallel = numParallel;
    this.maxQueue = maxQueue;
    this.defaultKeepAlive = requireNonNull(defaultKeepAlive, "defaultKeepAlive is null");
    this.cpuOnly = cpuOnly;
    this.pacer = requireNonNull(pacer, "pacer is null");
    this.stats = requireNonNull(stats, "stats is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** A loaded model as {@code /api/ps} shows it. */
  record Running(SimulatedModel model, Instant expiresAt, int contextLength, long sizeVram) {}

  /**
   * Gives the request a runner of {@code model} for {@code options}, loading (or reloading) the
   * model first if needed; pair with {@link #release(Runner)}. The caller then waits for one of the
   * runner's {@link Runner#slots()}.
   *
   * @param keepAlive the request's keep-alive, or null to keep the runner's
   * @throws ApiException 503 when the pending queue is full
   */
  Runner acquire(SimulatedModel model, RunnerOptions options, Duration keepAlive) {
    synchronized (lock) {
      Runner runner = usable(model, options);
      if (runner != null) {
        runner.use(keepAlive);
        return runner;
      }
      // one request is being scheduled while up to maxQueue wait in the channel
      if (pending > maxQueue) {
        throw new ApiException(503, BUSY);
      }
      pending++;
    }
    try {
      pacer.lock(scheduling);
      try {
        return loadOrUse(model, options, keepAlive);
      } finally {
        scheduling.unlock();
      }
    } finally {
      synchronized (lock) {
        pending--;
      }
    }
  }

  /** Ends one request's use of {@code runner}; when idle it expires after its session. */
  void release(Runner runner) {
    synchronized (lock) {
      if (--runner.refCount == 0) {
        runner.expiresAt = expiry(runner.sessionDuration);
        if (runner.sessionDuration.isZero()) {
          runners.remove(runner.model.name(), runner);
        }
        lock.notifyAll();
      }
    }
  }

  /** Unloads {@code model} as soon as no request uses it ({@code keep_alive: 0} without input). */
  void unload(SimulatedModel model) {
    synchronized (lock) {
      Runner runner = runners.get(model.name());
      if (runner != null) {
        expireNow(runner);
      }
    }
  }

  /** Unloads every model as soon as no request uses it. */
  void unloadAll() {
    synchronized (lock) {
      new ArrayList<>(runners.values()).forEach(this::expireNow);
    }
  }

  /** Forgets the runner of a deleted model. */
  void forget(String rawName) {
    synchronized (lock) {
      runners.remove(ModelName.normalize(rawName));
    }
  }

  /** Whether {@code rawName} is loaded now. */
  boolean isLoaded(String rawName) {
    synchronized (lock) {
      Runner runner = runners.get(ModelName.normalize(rawName));
      return runner != null && runner.isResident(clock.instant());
    }
  }

  /** The loaded models, the one expiring last first (as {@code /api/ps} sorts them). */
  List<Running> running() {
    Instant now = clock.instant();
    List<Running> list = new ArrayList<>();
    synchronized (lock) {
      for (Runner r : runners.values()) {
        if (r.isResident(now)) {
          // PsHandler: a runner in use shows now plus its session, an idle one its expiry
          Instant expires = r.refCount > 0 ? expiry(r.sessionDuration) : r.expiresAt;
          list.add(new Running(r.model, expires, r.options.numCtx(), r.sizeVram));
        }
      }
    }
    list.sort(Comparator.comparing(Running::expiresAt).reversed());
    return list;
  }

  private Runner loadOrUse(SimulatedModel model, RunnerOptions options, Duration keepAlive) {
    synchronized (lock) {
      Runner runner = usable(model, options);
      if (runner != null) {
        runner.use(keepAlive);
        return runner;
      }
      Runner old = runners.get(model.name());
      if (old != null) {
        // needsReload: the old runner expires at once and unloads when its requests are done
        expireNow(old);
        while (old.refCount > 0) {
          pacer.waitOn(lock);
        }
        runners.remove(model.name(), old);
      }
    }
    pacer.sleepNanos(pacer.scaled(model.loadTime()));
    synchronized (lock) {
      Duration session = keepAlive != null ? keepAlive : defaultKeepAlive;
      // Scheduler.load: models without completion (embedding models) always get one slot
      int slots = model.has(Capability.COMPLETION) ? numParallel : 1;
      long sizeVram = cpuOnly || options.cpuOnly() ? 0 : model.vramBytes();
      Runner loaded = new Runner(model, options, session, slots, sizeVram);
      loaded.refCount = 1;
      runners.put(model.name(), loaded);
      stats.recordLoad();
      return loaded;
    }
  }

  /** The resident runner of {@code model} if it serves {@code options} unchanged, else null. */
  private Runner usable(SimulatedModel model, RunnerOptions options) {
    Runner runner = runners.get(model.name());
    if (runner == null) {
      return null;
    }
    if (!runner.isResident(clock.instant())) {
      runners.remove(model.name());
      return null;
    }
    return runner.options.needsReloadFor(options) ? null : runner;
  }

  private void expireNow(Runner runner) {
    runner.sessionDuration = Duration.ZERO;
    runner.expiresAt = clock.instant();
    if (runner.refCount == 0) {
      runners.remove(runner.model.name(), runner);
    }
  }

  private Instant expiry(Duration session) {
    Instant now = clock.instant();
    return session.compareTo(FOREVER_SPAN) >= 0 ? now.plus(FOREVER_SPAN) : now.plus(session);
  }

  /**
   * One loaded model: its runner options, session, users and parallel slots. Fields other than
   * {@link #slots()} and the prompt cache are guarded by the scheduler's lock.
   */
  static final class Runner {
    private final SimulatedModel model;
    private final RunnerOptions options;
    private final Semaphore slots;
    private final long sizeVram;
    private final int cacheSize;
    private final Deque<List<String>> cache = new ArrayDeque<>();
    private Duration sessionDuration;
    private Instant expiresAt = Instant.EPOCH;
    private int refCount;

    private Runner(
        SimulatedModel model,
        RunnerOptions options,
        Duration sessionDuration,
        int slots,
        long sizeVram) {
      this.model = model;
      this.options = options;
      this.sessionDuration = sessionDuration;
      this.slots = new Semaphore(slots, true);
      this.sizeVram = sizeVram;
      this.cacheSize = slots;
    }

    /** The parallel slots (OLLAMA_NUM_PARALLEL), taken in arrival order. */
    Semaphore slots() {
      return slots;
    }

    /**
     * How many leading tokens of {@code tokens} the runner's cache already holds, at most all but
     * one: the runner always evaluates the last prompt token again to get the next one.
     */
    synchronized int cachedPrefix(List<String> tokens) {
      int best = 0;
      for (List<String> cached : cache) {
        int n = 0;
        int limit = Math.min(cached.size(), tokens.size());
        while (n < limit && cached.get(n).equals(tokens.get(n))) {
          n++;
        }
        best = Math.max(best, n);
      }
      return Math.min(best, Math.max(0, tokens.size() - 1));
    }

    /** Remembers what a slot now holds (prompt and answer), dropping the oldest beyond slots. */
    synchronized void remember(List<String> tokens) {
      cache.addFirst(List.copyOf(tokens));
      while (cache.size() > cacheSize) {
        cache.removeLast();
      }
    }

    private void use(Duration keepAlive) {
      refCount++;
      // useLoadedRunner: only a request that gives a keep-alive changes the session
      if (keepAlive != null) {
        sessionDuration = keepAlive;
      }
    }

    private boolean isResident(Instant now) {
      return refCount > 0 || now.isBefore(expiresAt);
    }
  }
}
