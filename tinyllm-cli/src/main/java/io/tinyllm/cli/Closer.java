package io.tinyllm.cli;

import com.google.inject.Binding;
import com.google.inject.Scopes;
import com.google.inject.spi.ProvisionListener;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers every singleton the injector creates that needs closing (clients, queues, caches, the
 * metrics collector) and closes them in reverse order of creation: what was built on top of
 * something stops before it. The metrics collector, created first, closes last, so a final push
 * sees every count.
 */
final class Closer implements ProvisionListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Closer.class);

  private final Deque<AutoCloseable> created = new ArrayDeque<>();
  private final Map<Object, Boolean> seen = new IdentityHashMap<>();

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

  @Override
  public synchronized void close() {
    while (!created.isEmpty()) {
      AutoCloseable closeable = created.pop();
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("Closing {} failed: {}", closeable.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
