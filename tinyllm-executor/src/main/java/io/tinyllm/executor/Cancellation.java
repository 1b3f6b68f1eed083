package io.tinyllm.executor;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

/**
 * Lets a caller cancel a running graph: the node in flight is interrupted and the graph ends with
 * status {@code CANCELLED}.
 *
 * <pre>{@code
 * Cancellation cancellation = new Cancellation();
 * pool.submit(() -> engine.run(graph, input, cancellation));
 * cancellation.cancel();
 * }</pre>
 */
public final class Cancellation {
  private final Set<Future<?>> inFlight = ConcurrentHashMap.newKeySet();
  private volatile boolean cancelled;

  public void cancel() {
    cancelled = true;
    inFlight.forEach(f -> f.cancel(true));
  }

  public boolean isCancelled() {
    return cancelled;
  }

  void track(Future<?> future) {
    inFlight.add(future);
    if (cancelled) {
      future.cancel(true);
    }
  }

  void untrack(Future<?> future) {
    inFlight.remove(future);
  }
}
