package io.tinyllm.executor.queue;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.QueueRejectedException;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.api.time.Ticker;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A bounded priority queue (high before normal before low, FIFO within a priority) run by {@code
 * queue.workers} worker threads, started on the first submission. Every submitted request ends
 * exactly once — completed, failed, timed out or rejected — and is counted so in {@link
 * QueueMetrics}.
 *
 * <pre>{@code
 * CompletableFuture<String> answer = queue.submit(Priority.HIGH, () -> client.generate(r).text());
 * }</pre>
 *
 * <p>A request runs in the submitter's {@link ExecutionContext}, so a call queued from inside a
 * graph node is counted under that graph and node. Futures are completed outside the queue's lock.
 * An {@link Error} thrown by a request fails its future, then ends its worker (as in {@link
 * java.util.concurrent.ThreadPoolExecutor}), which is counted and replaced by a new one.
 */
@Singleton
public final class PriorityRequestQueue implements RequestQueue {
  private final QueueConfig config;
  private final QueueMetrics metrics;
  private final Backpressure backpressure;
  private final Ticker ticker;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final Condition allIdle = lock.newCondition();
  private final Map<Priority, ArrayDeque<QueuedJob<?>>> waiting = new EnumMap<>(Priority.class);
  private final List<Thread> workers = new ArrayList<>();
  private ScheduledExecutorService timer;
  private boolean started;
  private int workerNumber;
  // workers waiting in take() for work: when all are, no request is running or about to
  private int idleWorkers;
  private volatile Runnable beforeIdleWait = () -> {};
  private int size;
  private boolean accepting = true;
  private boolean dropping;
  private int drainedAfterShutdown;

  /** A queue whose wait and run times are read from the system clock. */
  public PriorityRequestQueue(QueueConfig config, QueueMetrics metrics, Backpressure backpressure) {
    this(config, metrics, backpressure, Ticker.system());
  }

  /**
   * A queue whose wait and run times are read from {@code ticker}, both those it records and the
   * wait that {@code queue.max-wait} bounds; its timers (task timeout, drain) run on the system
   * clock.
   */
  @Inject
  public PriorityRequestQueue(
      QueueConfig config, QueueMetrics metrics, Backpressure backpressure, Ticker ticker) {
    this.config = requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.backpressure = requireNonNull(backpressure, "backpressure is null");
    this.ticker = requireNonNull(ticker, "ticker is null");
    for (Priority p : Priority.values()) {
      waiting.put(p, new ArrayDeque<>());
    }
  }

  @Override
  public <T> CompletableFuture<T> submit(Priority priority, Callable<T> task) {
    requireNonNull(priority, "priority is null");
    requireNonNull(task, "task is null");
    return enqueue(priority, task, job -> {}).future;
  }

  /**
   * {@link #submit}, showing the job to {@code created} before it can end: tests attach stages
   * there that look at which locks the completing thread holds.
   */
  <T> QueuedJob<T> enqueue(
      Priority priority, Callable<T> task, Consumer<? super QueuedJob<T>> created) {
    QueuedJob<T> job =
        new QueuedJob<>(priority, ExecutionContext.wrap(task), metrics, ticker.read());
    created.accept(job);
    metrics.submitted(priority);
    String rejection = null;
    lock.lock();
    try {
      startWorkers();
      boolean admitted = accepting && size < config.maxSize();
      if (accepting && !admitted) {
        try {
          admitted = backpressure.awaitSpace(notFull, () -> accepting && size >= config.maxSize());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        admitted = admitted && accepting && size < config.maxSize();
      }
      if (admitted) {
        waiting.get(priority).addLast(job);
        size++;
        metrics.enqueued(priority);
        notEmpty.signal();
      } else {
        rejection =
            accepting
                ? "Request queue is full (" + config.maxSize() + " waiting); try again later"
                : "Request queue is shut down";
      }
    } finally {
      lock.unlock();
    }
    if (rejection != null) {
      job.end(QueueOutcome.REJECTED, new QueueRejectedException(rejection));
    }
    return job;
  }

  @Override
  public int size() {
    lock.lock();
    try {
      return size;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the calling thread holds the queue's lock (tests check completions do not). */
  boolean lockHeldByCurrentThread() {
    return lock.isHeldByCurrentThread();
  }

  /**
   * Waits until every worker waits for work with nothing queued, at most {@code timeout}; true when
   * it did. Each request's run has then ended, its timeout alarm cancelled. Woken by the worker
   * that goes idle last, which only signals a condition under the lock it already holds to sleep.
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long left = timeout.toNanos();
    lock.lock();
    try {
      while (size > 0 || idleWorkers < workers.size()) {
        if (left <= 0) {
          return false;
        }
        beforeIdleWait.run();
        left = allIdle.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs {@code hook} in {@link #awaitIdle} just before the waiter blocks, holding the lock a
   * worker needs to wake it: lets a test end a request knowing the waiter is asleep.
   */
  void beforeIdleWait(Runnable hook) {
    this.beforeIdleWait = requireNonNull(hook, "hook is null");
  }

  /** Task-timeout alarms still in the timer's queue (one per running request at most). */
  int pendingAlarms() {
    ScheduledExecutorService current = timer;
    return current instanceof ScheduledThreadPoolExecutor alarms ? alarms.getQueue().size() : 0;
  }

  @Override
  public void shutdown(Duration drainTimeout) {
    shutdownAndReport(drainTimeout);
  }

  /**
   * Stops accepting, lets workers drain the queue for up to {@code drainTimeout}, then rejects what
   * is still queued and interrupts running requests.
   */
  public ShutdownReport shutdownAndReport(Duration drainTimeout) {
    requireNonNull(drainTimeout, "drainTimeout is null");
    lock.lock();
    try {
      accepting = false;
      drainedAfterShutdown = 0;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    boolean terminated = joinWorkers(deadline);
    List<QueuedJob<?>> dropped = new ArrayList<>();
    int drained;
    List<Thread> toInterrupt;
    lock.lock();
    try {
      dropping = true; // from here on no worker is replaced
      toInterrupt = List.copyOf(workers);
      for (ArrayDeque<QueuedJob<?>> queue : waiting.values()) {
        for (QueuedJob<?> job; (job = queue.pollFirst()) != null; ) {
          size--;
          metrics.removedUnrun(job.priority);
          dropped.add(job);
        }
      }
      notEmpty.signalAll();
      drained = drainedAfterShutdown;
    } finally {
      lock.unlock();
    }
    dropped.forEach(
        job ->
            job.end(
                QueueOutcome.REJECTED,
                new QueueRejectedException("Dropped unrun: the request queue shut down")));
    if (!terminated) {
      toInterrupt.forEach(Thread::interrupt);
      terminated = joinWorkers(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }
    if (timer != null) {
      timer.shutdownNow();
    }
    return new ShutdownReport(drained, dropped.size(), terminated);
  }

  /**
   * Waits until every worker has ended, replacements of workers that died meanwhile included (a
   * worker registers its replacement before it ends); false if {@code deadline} passed first.
   */
  private boolean joinWorkers(long deadline) {
    while (true) {
      List<Thread> alive;
      lock.lock();
      try {
        alive = List.copyOf(workers);
      } finally {
        lock.unlock();
      }
      if (alive.isEmpty()) {
        return true;
      }
      for (Thread t : alive) {
        long left = deadline - System.nanoTime();
        try {
          if (left > 0) {
            TimeUnit.NANOSECONDS.timedJoin(t, left);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        if (t.isAlive()) {
          return false;
        }
      }
    }
  }

  private void startWorkers() {
    if (started || !accepting) {
      return;
    }
    started = true;
    // cancelled alarms leave the timer's queue at once: otherwise each finished job (and what
    // its alarm holds) would stay reachable until its timeout, 5 minutes by default
    ScheduledThreadPoolExecutor alarms =
        new ScheduledThreadPoolExecutor(1, r -> daemon(r, "tinyllm-queue-timer"));
    alarms.setRemoveOnCancelPolicy(true);
    timer = alarms;
    for (int i = 1; i <= config.workers(); i++) {
      startWorker();
    }
  }

  /** Called with the lock held. */
  private void startWorker() {
    Thread worker = daemon(this::work, "tinyllm-queue-worker-" + ++workerNumber);
    worker.start(); // before it joins the pool: a thread that failed to start is never waited for
    workers.add(worker);
  }

  /**
   * A worker is ending: it leaves the pool and, while there is work it could still take, a new one
   * takes its place, as in {@link java.util.concurrent.ThreadPoolExecutor}.
   */
  private void workerExited(boolean died) {
    lock.lock();
    try {
      workers.remove(Thread.currentThread());
      if (died) {
        metrics.workerDied();
      }
      if (!dropping && (accepting || size > 0)) {
        startWorker();
      } else if (size == 0 && idleWorkers == workers.size()) {
        allIdle.signalAll(); // the others already wait for work: the last one busy has gone
      }
    } finally {
      lock.unlock();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private QueuedJob<?> take() throws InterruptedException {
    lock.lock();
    try {
      while (size == 0) {
        if (!accepting || dropping) {
          return null;
        }
        idleWorkers++;
        if (idleWorkers == workers.size()) {
          allIdle.signalAll();
        }
        try {
          notEmpty.await();
        } finally {
          idleWorkers--;
        }
      }
      if (dropping) {
        return null;
      }
      for (ArrayDeque<QueuedJob<?>> queue : waiting.values()) {
        QueuedJob<?> job = queue.pollFirst();
        if (job != null) {
          size--;
          if (!accepting) {
            drainedAfterShutdown++;
          }
          metrics.dequeued(job.priority, (ticker.read() - job.enqueuedTicks) / 1e9);
          notFull.signal();
          return job;
        }
      }
      throw new IllegalStateException("size " + size + " but every priority queue is empty");
    } finally {
      lock.unlock();
    }
  }

  private void work() {
    boolean died = true;
    try {
      for (QueuedJob<?> job; (job = take()) != null; ) {
        run(job);
      }
      died = false;
    } catch (InterruptedException e) {
      died = false; // shutdown stops idle workers so
    } finally {
      workerExited(died);
    }
  }

  private <T> void run(QueuedJob<T> job) {
    if (job.ended()) {
      return; // cancelled by its caller while it waited
    }
    long waited = ticker.read() - job.enqueuedTicks;
    if (!config.maxWait().isZero() && waited > config.maxWait().toNanos()) {
      job.end(
          QueueOutcome.TIMED_OUT,
          new TimeoutException("Request waited longer than " + config.maxWait() + " to start"));
      return;
    }
    metrics.started();
    long start = ticker.read();
    job.running(Thread.currentThread());
    ScheduledFuture<?> deadline =
        config.taskTimeout().isZero()
            ? null
            : timer.schedule(
                () ->
                    job.timeOut(
                        new TimeoutException("Request ran longer than " + config.taskTimeout())),
                config.taskTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
    Error fatal = null;
    try {
      T value = job.task.call();
      job.finished();
      job.complete(value);
    } catch (Throwable t) {
      job.finished();
      job.end(QueueOutcome.FAILED, t);
      if (t instanceof Error error) {
        fatal = error; // the request failed with it; now, as in ThreadPoolExecutor, its worker ends
      }
    } finally {
      if (deadline != null) {
        deadline.cancel(false);
      }
      // a timeout may have interrupted us; that interrupt belonged to the job, not the worker
      Thread.interrupted();
      metrics.ran(job.priority, (ticker.read() - start) / 1e9);
    }
    if (fatal != null) {
      throw fatal;
    }
  }
}
