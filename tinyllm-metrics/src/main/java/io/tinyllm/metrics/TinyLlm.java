package io.tinyllm.metrics;

import static java.util.Objects.requireNonNull;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.matcher.Matchers;
import com.google.inject.spi.Message;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * TinyLLM running in your application: every plug-in on the class path in one injector, the
 * exporters started, and everything that owns threads or connections closed again by {@link
 * #close()}.
 *
 * <pre>{@code
 * Settings settings = Settings.of(Map.of("metrics.exporters", "http"));
 * try (TinyLlm app = TinyLlm.start(settings)) {
 *   LlmClient client = app.get(LlmClient.class);
 *   LlmResponse answer = client.generate(GenerateRequest.builder("qwen2.5:0.5b", "Hi").build());
 * }   // clients, queues, graph pools and Redis stopped; the Pushgateway got its final push
 * }</pre>
 *
 * <p>{@link #start} does, in order: discover the {@link TinyLlmModule} plug-ins with {@link
 * java.util.ServiceLoader} (the metrics plug-in must be among them), build one injector from them
 * and the settings, and start the exporters named in {@code metrics.exporters}. {@link #close()}
 * closes every {@link AutoCloseable} singleton the injector created, newest first: clients, queues,
 * graph engines and caches before the {@link MetricsCollector}, whose exporters stop last (a
 * Pushgateway gets a final push that sees every count). Each component gets {@code
 * metrics.close-timeout} to close (45s by default); one that hangs is abandoned with a warning
 * naming it, and the rest still close.
 *
 * <p>It lives in {@code tinyllm-metrics} because that is the one artifact every plug-in depends on
 * that also owns the exporters' lifecycle; its one setting sits under the metrics plug-in's {@code
 * metrics.} prefix.
 */
public final class TinyLlm implements AutoCloseable {
  /** How long {@link #close()} waits for each component before abandoning it. */
  public static final String CLOSE_TIMEOUT = "metrics.close-timeout";

  /**
   * Longer than the request queue's 30s drain and the Pushgateway's 10s timeout: a component that
   * bounds its own close is never cut short.
   */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(45);

  private final Injector injector;
  private final MetricsCollector metrics;
  private final SingletonCloser closer;
  private volatile boolean closed;

  private TinyLlm(Injector injector, MetricsCollector metrics, SingletonCloser closer) {
    this.injector = injector;
    this.metrics = metrics;
    this.closer = closer;
  }

  /** Starts with the plug-ins on the class path that loaded TinyLLM. */
  public static TinyLlm start(Settings settings) {
    return start(settings, TinyLlm.class.getClassLoader(), List.of());
  }

  /**
   * Starts with the plug-ins {@code classLoader} lists, plus {@code extraModules} (bindings of your
   * own, installed in the same injector; they only bind, like plug-ins).
   */
  public static TinyLlm start(
      Settings settings, ClassLoader classLoader, List<? extends Module> extraModules) {
    requireNonNull(settings, "settings is null");
    requireNonNull(classLoader, "classLoader is null");
    requireNonNull(extraModules, "extraModules is null");
    Duration closeTimeout = closeTimeout(settings);
    List<TinyLlmModule> plugins = Plugins.discover(classLoader);
    Plugins.requirePresent(plugins, List.of("metrics"));
    SingletonCloser closer = new SingletonCloser(closeTimeout);
    List<Module> modules = new ArrayList<>();
    modules.add(Settings.module(settings));
    modules.add(Plugins.combine(plugins));
    modules.addAll(extraModules);
    modules.add(binder -> binder.bindListener(Matchers.any(), closer));
    Injector injector;
    try {
      injector = Guice.createInjector(modules);
    } catch (CreationException e) {
      closer.closeAll();
      throw unwrap(e.getErrorMessages(), e);
    }
    MetricsCollector metrics = injector.getInstance(MetricsCollector.class);
    try {
      metrics.start();
    } catch (RuntimeException e) {
      closer.closeAll();
      throw e;
    }
    return new TinyLlm(injector, metrics, closer);
  }

  /** The {@value #CLOSE_TIMEOUT} setting; the metrics plug-in declares it as one of its keys. */
  static Duration closeTimeout(Settings settings) {
    Duration timeout = settings.getDuration(CLOSE_TIMEOUT, DEFAULT_CLOSE_TIMEOUT);
    if (timeout.isZero() || timeout.isNegative()) {
      throw new ConfigException("Setting '" + CLOSE_TIMEOUT + "' must be positive");
    }
    return timeout;
  }

  /**
   * The instance the injector binds to {@code type}; our own errors (a bad setting, say) surface as
   * they were thrown rather than wrapped by Guice.
   */
  public <T> T get(Class<T> type) {
    return get(Key.get(type));
  }

  public <T> T get(Key<T> key) {
    requireNonNull(key, "key is null");
    if (closed) {
      throw new IllegalStateException("TinyLlm is closed; cannot get " + key);
    }
    try {
      return injector.getInstance(key);
    } catch (ProvisionException e) {
      throw unwrap(e.getErrorMessages(), e);
    }
  }

  /**
   * The injector, for what {@link #get} cannot express; singletons created through it are closed
   * with the rest.
   */
  public Injector injector() {
    return injector;
  }

  /** The shared registry and its running exporters. */
  public MetricsCollector metrics() {
    return metrics;
  }

  /**
   * Closes every singleton that needs it, newest first, each within {@code metrics.close-timeout};
   * the exporters stop last. Calling it again does nothing.
   */
  @Override
  public void close() {
    closed = true;
    closer.closeAll();
  }

  /** Surfaces our own errors from Guice's wrapping as they were thrown. */
  private static RuntimeException unwrap(Collection<Message> messages, RuntimeException wrapper) {
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
}
