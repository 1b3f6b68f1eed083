package io.tinyllm.metrics;

import static java.util.Objects.requireNonNull;

import com.google.inject.Binding;
import com.google.inject.Scopes;
import com.google.inject.spi.ProvisionListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers every singleton the injector creates that needs closing (clients, queues, caches, the
 * metrics collector) and closes them in reverse order of creation: what was built on top of
 * something stops before it. Guice finishes a singleton after its dependencies, so a dependency is
 * always older than what uses it; the metrics collector, an eager singleton, closes after the
 * clients and queues created later, so its final push sees every count.
 *
 * <p>Each close runs on a daemon thread of its own and gets {@code timeout}: one that hangs (a
 * server that never answers the final push, say) is interrupted and abandoned with a warning naming
 * it, and the rest still close.
 */
final class SingletonCloser implements ProvisionListener {
  private static final Logger log = LoggerFactory.getLogger(SingletonCloser.class);

  private final Duration timeout;
  private final Deque<AutoCloseable> created = new ArrayDeque<>();
  private final Map<Object, Boolean> seen = new IdentityHashMap<>();

  SingletonCloser(Duration timeout) {
    this.timeout = requireNonNull(timeout, "timeout is null");
  }

  @Override
  public <T> void onProvision(ProvisionInvocation<T> provision) {
    T instance = provision.provision();
    Binding<T> binding = provision.getBinding();
    if (instance instanceof AutoCloseable closeable && Scopes.isSingleton(binding)) {
      synchronized (this) {
        if (seen.put(instance, Boolean.TRUE) == null) {
          created.push(closeable);
        }
      }
    }
  }

  /** Closes everything created so far, newest first, each within the timeout. */
  void closeAll() {
    boolean interrupted = false;
    List<AutoCloseable> batch;
    // closed outside the lock: a close that provisions another singleton must not wait for it
    while (!(batch = drain()).isEmpty()) {
      for (AutoCloseable closeable : batch) {
        interrupted |= closeWithinTimeout(closeable);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized List<AutoCloseable> drain() {
    List<AutoCloseable> batch = new ArrayList<>(created);
    created.clear();
    return batch;
  }

  /** Returns whether the calling thread was interrupted while it waited. */
  private boolean closeWithinTimeout(AutoCloseable closeable) {
    String name = nameOf(closeable);
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread closing =
        new Thread(
            () -> {
              try {
                closeable.close();
              } catch (Exception e) {
                failure.set(e);
              }
            },
            "tinyllm-close-" + name);
    // an abandoned close must not keep the JVM alive
    closing.setDaemon(true);
    closing.start();
    boolean interrupted = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (closing.isAlive()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        TimeUnit.NANOSECONDS.timedJoin(closing, left);
      } catch (InterruptedException e) {
        // being asked to stop is no reason to leave the rest open; the flag is restored after
        interrupted = true;
      }
    }
    if (closing.isAlive()) {
      closing.interrupt();
      log.warn(
          "Closing {} did not finish within {} ({}); abandoned it and closing the rest",
          name,
          shown(timeout),
          TinyLlm.CLOSE_TIMEOUT);
    } else if (failure.get() != null) {
      log.warn("Closing {} failed: {}", name, failure.get().toString());
    }
    return interrupted;
  }

  private static String shown(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  private static String nameOf(Object instance) {
    String simple = instance.getClass().getSimpleName();
    return simple.isEmpty() ? instance.getClass().getName() : simple;
  }
}
