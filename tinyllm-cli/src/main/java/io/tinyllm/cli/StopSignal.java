package io.tinyllm.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits for Ctrl-C (or a duration) and lets the main thread finish closing before the JVM halts:
 * the shutdown hook waits, bounded, until {@link #close()} says everything is stopped.
 *
 * <pre>{@code
 * try (StopSignal stop = StopSignal.install(); TinyLlm app = TinyLlm.start(settings)) {
 *   stop.await(duration);
 * }
 * }</pre>
 *
 * <p>A command with a call in flight registers {@link #onStop} to cancel it at once, so the main
 * thread gets back and closes well within the grace.
 */
final class StopSignal implements AutoCloseable {
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private final List<Runnable> onStop = new CopyOnWriteArrayList<>();
  private final Thread hook;

  private StopSignal() {
    hook =
        new Thread(
            () -> {
              requestStop();
              try {
                closed.await(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "tinyllm-shutdown");
  }

  static StopSignal install() {
    StopSignal signal = new StopSignal();
    Runtime.getRuntime().addShutdownHook(signal.hook);
    return signal;
  }

  /** Blocks until interrupted by a signal, or for {@code runFor} when it is not null. */
  void await(Duration runFor) throws InterruptedException {
    if (runFor == null) {
      stop.await();
    } else {
      stop.await(runFor.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** What Ctrl-C (SIGINT) or SIGTERM does: the command stops, closing what it opened. */
  void requestStop() {
    synchronized (onStop) {
      if (stop.getCount() == 0) {
        return;
      }
      stop.countDown();
    }
    onStop.forEach(StopSignal::runSafely);
  }

  /**
   * Runs {@code action} when a stop is requested (on the signal's thread), or now if one already
   * was: cancelling the call in flight, unblocking a read. It must be quick and may run after the
   * command is done with what it cancels, so cancelling twice must be harmless.
   */
  void onStop(Runnable action) {
    boolean now;
    synchronized (onStop) {
      onStop.add(action);
      now = stop.getCount() == 0;
    }
    if (now) {
      runSafely(action);
    }
  }

  private static void runSafely(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      // one failing action must not keep the others, or the shutdown, from going on
    }
  }

  boolean stopRequested() {
    return stop.getCount() == 0;
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is running and now sees 'closed'
    }
  }
}
