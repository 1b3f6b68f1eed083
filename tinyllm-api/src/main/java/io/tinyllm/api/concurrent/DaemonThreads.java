package io.tinyllm.api.concurrent;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories of daemon threads named {@code prefix1}, {@code prefix2}, …: a pool of the
 * project's never keeps the JVM alive, and its threads say whose they are in a thread dump.
 *
 * <pre>{@code
 * ExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("x-timer-"));
 * }</pre>
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Daemon threads named {@code prefix} and a number from 1. */
  public static ThreadFactory named(String prefix) {
    return named(prefix, new AtomicInteger());
  }

  /** As {@link #named(String)}, numbered by {@code count}, which so counts the threads made. */
  public static ThreadFactory named(String prefix, AtomicInteger count) {
    requireNonNull(prefix, "prefix is null");
    requireNonNull(count, "count is null");
    return task -> {
      Thread thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
