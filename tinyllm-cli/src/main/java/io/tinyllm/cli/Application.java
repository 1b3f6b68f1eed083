package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.matcher.Matchers;
import com.google.inject.spi.Message;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.metrics.MetricsCollector;
import java.util.List;

/**
 * One run of the application: the plug-ins found on the class path in one injector, and the
 * lifecycle around it. Exporters start after the injector is built; on close, every singleton that
 * needs closing is closed newest first, so clients and queues stop before the exporters (and a
 * Pushgateway's final push sees every count).
 *
 * <pre>{@code
 * try (Application app = Application.start(settings)) {
 *   LlmClient client = app.get(LlmClient.class);
 *   ...
 * }
 * }</pre>
 */
final class Application implements AutoCloseable {
  private final Injector injector;
  private final MetricsCollector metrics;
  private final Closer closer;

  private Application(Injector injector, MetricsCollector metrics, Closer closer) {
    this.injector = injector;
    this.metrics = metrics;
    this.closer = closer;
  }

  static Application start(Settings settings) {
    requireNonNull(settings, "settings is null");
    List<TinyLlmModule> plugins = Plugins.discover(Application.class.getClassLoader());
    Plugins.requirePresent(plugins, List.of("metrics"));
    Closer closer = new Closer();
    Injector injector;
    try {
      injector =
          Guice.createInjector(
              Settings.module(settings),
              Plugins.combine(plugins),
              binder -> binder.bindListener(Matchers.any(), closer));
    } catch (CreationException e) {
      closer.close();
      throw unwrap(e.getErrorMessages(), e);
    }
    MetricsCollector metrics = injector.getInstance(MetricsCollector.class);
    try {
      metrics.start();
    } catch (RuntimeException e) {
      closer.close();
      throw e;
    }
    return new Application(injector, metrics, closer);
  }

  <T> T get(Class<T> type) {
    return get(Key.get(type));
  }

  <T> T get(Key<T> key) {
    try {
      return injector.getInstance(key);
    } catch (ProvisionException e) {
      throw unwrap(e.getErrorMessages(), e);
    }
  }

  MetricsCollector metrics() {
    return metrics;
  }

  /** Surfaces our own errors (a bad setting, say) from Guice's wrapping as they were thrown. */
  private static RuntimeException unwrap(
      java.util.Collection<Message> messages, RuntimeException wrapper) {
    for (Message message : messages) {
      Throwable cause = message.getCause();
      while (cause != null) {
        if (cause instanceof TinyLlmException tinyLlm) {
          return tinyLlm;
        }
        cause = cause.getCause();
      }
    }
    return wrapper;
  }

  /** Closes every singleton that needs it, newest first; exporters stop last. */
  @Override
  public void close() {
    closer.close();
  }
}
