package io.tinyllm.metrics.exporter;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor of the metrics endpoint's JDK HTTP server, which keeps slow clients from starving
 * scrapes without JVM-wide settings.
 *
 * <p>The JDK server reads a request's line and headers on the executor's thread, from a blocking
 * channel, with no deadline unless the JVM-wide {@code sun.net.httpserver.maxReqTime} is set. So
 * each task here is "reading" from the moment it runs until the server hands the parsed request to
 * a handler ({@link #headersRead()}, called by the handlers). A task still reading after the header
 * timeout has its thread interrupted: the channel is interruptible, so the read fails, and the
 * server closes that connection. While requests wait for a thread, each one also evicts the task
 * that has been reading longest, so a flood of slow clients turns over instead of queueing scrapes
 * behind it. Tasks past the queue are rejected, and the server closes their connection at once.
 * Handlers (a scrape being written) are never interrupted.
 */
final class HeaderDeadlineExecutor implements Executor, AutoCloseable {
  /** Requests waiting for a thread beyond which new connections are closed at once. */
  static final int QUEUE_CAPACITY = 256;

  /** How long a new request may read before it can be closed to make room. */
  static final Duration GRACE = Duration.ofMillis(50);

  private final ThreadPoolExecutor pool;
  private final ScheduledThreadPoolExecutor timer;
  private final long headerTimeoutNanos;
  private final ConcurrentLinkedDeque<Task> reading = new ConcurrentLinkedDeque<>();
  private final ThreadLocal<Task> current = new ThreadLocal<>();
  private final AtomicInteger expired = new AtomicInteger();
  // tasks that began reading; a monitor rather than an atomic, so a test can wait for the count
  private final Object startedSignal = new Object();
  private int startedCount;
  private volatile Runnable beforeStartedWait = () -> {};

  HeaderDeadlineExecutor(int threads, Duration headerTimeout) {
    requireNonNull(headerTimeout, "headerTimeout is null");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }
    this.headerTimeoutNanos = headerTimeout.toNanos();
    AtomicInteger ids = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE_CAPACITY),
            r -> daemon(r, "tinyllm-metrics-http-" + ids.incrementAndGet()),
            new ThreadPoolExecutor.AbortPolicy());
    this.pool.allowCoreThreadTimeOut(true);
    this.timer =
        new ScheduledThreadPoolExecutor(1, r -> daemon(r, "tinyllm-metrics-http-deadline"));
    this.timer.setRemoveOnCancelPolicy(true);
    this.timer.scheduleWithFixedDelay(
        this::makeRoom, GRACE.toNanos(), GRACE.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread thread = new Thread(r, name);
    thread.setDaemon(true);
    return thread;
  }

  /**
   * Runs the server's task; throws {@link java.util.concurrent.RejectedExecutionException} when the
   * queue is full, which the JDK server answers by closing the connection.
   */
  @Override
  public void execute(Runnable command) {
    pool.execute(new Task(requireNonNull(command, "command is null")));
    makeRoom();
  }

  /**
   * For each request waiting for a thread, closes the connection that has been reading longest,
   * unless it started less than {@link #GRACE} ago (its bytes may just be in flight). Runs on each
   * new request and every {@link #GRACE}, as a burst can queue requests before any thread reads.
   */
  private synchronized void makeRoom() {
    int waiting = pool.getQueue().size();
    long now = System.nanoTime();
    for (Task task : reading) {
      if (waiting <= 0 || now - task.startedNanos < GRACE.toNanos()) {
        return;
      }
      if (task.expire()) {
        waiting--;
      }
    }
  }

  /** Called by the handlers: the request on this thread has been read, its deadline is off. */
  void headersRead() {
    Task task = current.get();
    if (task != null) {
      task.handling();
    }
  }

  /** Connections closed so far for reading too slowly or to make room (for tests and logs). */
  int expiredCount() {
    return expired.get();
  }

  /**
   * Waits until {@code count} tasks in all have begun reading a request, at most {@code timeout};
   * true when they had. Woken by each task as it begins: one uncontended monitor per request.
   */
  boolean awaitStarted(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (startedSignal) {
      while (startedCount < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        beforeStartedWait.run();
        TimeUnit.NANOSECONDS.timedWait(startedSignal, left);
      }
      return true;
    }
  }

  /**
   * Runs {@code hook} in {@link #awaitStarted} just before the waiter blocks, holding the monitor a
   * beginning task needs to wake it: lets a test start a task knowing the waiter is asleep.
   */
  void beforeStartedWait(Runnable hook) {
    this.beforeStartedWait = requireNonNull(hook, "hook is null");
  }

  private void started() {
    synchronized (startedSignal) {
      startedCount++;
      startedSignal.notifyAll();
    }
  }

  /** Tasks reading a request now. */
  int readingCount() {
    return reading.size();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    pool.shutdownNow();
  }

  private final class Task implements Runnable {
    private final Runnable command;
    private volatile long startedNanos;
    private Thread thread;
    private boolean reading;
    private boolean expiredTask;
    private ScheduledFuture<?> deadline;

    Task(Runnable command) {
      this.command = command;
    }

    @Override
    public void run() {
      synchronized (this) {
        thread = Thread.currentThread();
        reading = true;
      }
      startedNanos = System.nanoTime();
      HeaderDeadlineExecutor.this.reading.addLast(this);
      started();
      current.set(this);
      try {
        deadline = timer.schedule(this::expire, headerTimeoutNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closing) {
        // the endpoint is closing; the server stops this connection itself
      }
      try {
        command.run();
      } finally {
        stopReading();
        current.remove();
        // an interrupt aimed at this request must not reach the next one on this thread
        Thread.interrupted();
      }
    }

    void handling() {
      stopReading();
      boolean late;
      synchronized (this) {
        late = expiredTask;
      }
      if (late) {
        // expired between the last header byte and the handler: if the channel is still open,
        // serve the request rather than fail it on the leftover interrupt
        Thread.interrupted();
      }
    }

    private void stopReading() {
      synchronized (this) {
        reading = false;
      }
      HeaderDeadlineExecutor.this.reading.remove(this);
      ScheduledFuture<?> pending = deadline;
      if (pending != null) {
        pending.cancel(false);
      }
    }

    /** Closes the connection (by interrupting its blocked read) if the request is still unread. */
    boolean expire() {
      synchronized (this) {
        if (!reading) {
          return false;
        }
        reading = false;
        expiredTask = true;
        expired.incrementAndGet(); // counted before the client can see its connection close
        thread.interrupt();
      }
      HeaderDeadlineExecutor.this.reading.remove(this);
      return true;
    }
  }
}
