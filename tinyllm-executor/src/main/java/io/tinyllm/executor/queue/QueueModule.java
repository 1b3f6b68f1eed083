package io.tinyllm.executor.queue;

import static io.tinyllm.metrics.MetricsBinder.metricsBinder;

import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.MapBinder;
import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.api.spi.TinyLlmModule;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The queue plug-in: {@link RequestQueue} as a {@link PriorityRequestQueue}, its backpressure
 * chosen by {@code queue.backpressure} among the {@link Backpressure} alternatives, and {@link
 * QueueMetrics}.
 */
public final class QueueModule implements TinyLlmModule {
  @Override
  public String name() {
    return "queue";
  }

  @Override
  public KnownSettings knownSettings() {
    return KnownSettings.readBy(List.of("queue."), QueueConfig::from);
  }

  @Override
  public void configure(Binder binder) {
    MapBinder<String, Backpressure> policies =
        MapBinder.newMapBinder(binder, String.class, Backpressure.class);
    policies.addBinding(RejectBackpressure.NAME).to(RejectBackpressure.class);
    policies.addBinding(BlockBackpressure.NAME).to(BlockBackpressure.class);
    binder.bind(PriorityRequestQueue.class).in(Scopes.SINGLETON);
    binder.bind(RequestQueue.class).to(PriorityRequestQueue.class);
    metricsBinder(binder).bind(QueueMetrics.class);
  }

  @Provides
  @Singleton
  QueueConfig queueConfig(Settings settings) {
    return QueueConfig.from(settings);
  }

  @Provides
  @Singleton
  Backpressure backpressure(QueueConfig config, Map<String, Provider<Backpressure>> policies) {
    Provider<Backpressure> policy = policies.get(config.backpressure());
    if (policy == null) {
      throw new ConfigException(
          "Invalid value '"
              + config.backpressure()
              + "' for setting 'queue.backpressure': expected one of "
              + new TreeSet<>(policies.keySet()));
    }
    return policy.get();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QueueModule;
  }

  @Override
  public int hashCode() {
    return QueueModule.class.hashCode();
  }
}
