package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.metrics.MetricsCollector;
import java.util.List;

/**
 * One run of the application: the plug-ins found on the class path in one injector, and the
 * lifecycle around it. Exporters start after the injector is built and stop first on close.
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

  private Application(Injector injector, MetricsCollector metrics) {
    this.injector = injector;
    this.metrics = metrics;
  }

  static Application start(Settings settings) {
    requireNonNull(settings, "settings is null");
    List<TinyLlmModule> plugins = Plugins.discover(Application.class.getClassLoader());
    Plugins.requirePresent(plugins, List.of("metrics"));
    Injector injector;
    try {
      injector = Guice.createInjector(Settings.module(settings), Plugins.combine(plugins));
    } catch (CreationException e) {
      throw unwrap(e.getErrorMessages(), e);
    }
    MetricsCollector metrics = injector.getInstance(MetricsCollector.class);
    metrics.start();
    return new Application(injector, metrics);
  }

  <T> T get(Class<T> type) {
    try {
      return injector.getInstance(type);
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

  @Override
  public void close() {
    metrics.close();
  }
}
