package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends answers whose Ollama fell silent: one check every quarter of the idle timeout looks at every
 * answer being relayed ({@link IdleWatch}), so an answer costs an entry in a set rather than a task
 * of its own on the timer (and the timer's wake-up when that task falls due).
 *
 * <pre>{@code
 * try (IdleWatch watch = watches.watch(call::cancel)) {
 *   watch.reading();
 *   int n = in.read(piece);
 *   watch.read();
 * }
 * }</pre>
 */
final class IdleWatches implements AutoCloseable {
  private final Set<IdleWatch> watching = ConcurrentHashMap.newKeySet();
  private final long idleNanos;
  private final ScheduledFuture<?> check;

  IdleWatches(ScheduledExecutorService timer, Duration idle) {
    requireNonNull(timer, "timer is null");
    this.idleNanos = requireNonNull(idle, "idle is null").toNanos();
    long period = Math.max(idle.toMillis() / 4, 10);
    check = timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
  }

  /** Watches one answer; {@code drop} ends a read that waits too long. Close the watch after. */
  IdleWatch watch(Runnable drop) {
    IdleWatch watch = new IdleWatch(this, drop);
    watching.add(watch);
    return watch;
  }

  void remove(IdleWatch watch) {
    watching.remove(watch);
  }

  private void check() {
    long now = System.nanoTime();
    for (IdleWatch watch : watching) {
      watch.check(now, idleNanos);
    }
  }

  @Override
  public void close() {
    check.cancel(false);
  }
}
