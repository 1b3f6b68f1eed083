package io.tinyllm.ollama;

import static io.tinyllm.metrics.MetricsBinder.metricsBinder;

import com.google.inject.Binder;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Names;
import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.spi.TinyLlmModule;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;

/**
 * The Ollama plug-in: {@link OllamaClient} (also the default {@link LlmClient}, which a decorating
 * plug-in may replace with {@code OptionalBinder.setBinding()}), its {@link OllamaConfig} read from
 * {@link Settings}, and its metric sets behind {@link OllamaMetrics}. Install it with the metrics
 * module.
 */
public final class OllamaModule implements TinyLlmModule {
  /** The binding name of the undecorated client. */
  public static final String RAW = "raw";

  @Override
  public String name() {
    return "ollama";
  }

  @Override
  public KnownSettings knownSettings() {
    return KnownSettings.readBy(List.of("ollama."), s -> OllamaConfig.from(s, Map.of()));
  }

  @Override
  public void configure(Binder binder) {
    metricsBinder(binder)
        .bind(RequestMetrics.class)
        .bind(StreamingMetrics.class)
        .bind(ServerDurationMetrics.class)
        .bind(ResilienceMetrics.class)
        .bind(InventoryMetrics.class)
        .bind(HostMetrics.class);
    binder.bind(OllamaMetrics.class).in(Scopes.SINGLETON);
    binder.bind(OllamaClient.class).in(Scopes.SINGLETON);
    // the raw client under a name a decorator (the cache plug-in) wraps; LlmClient defaults to it
    binder.bind(LlmClient.class).annotatedWith(Names.named(RAW)).to(OllamaClient.class);
    OptionalBinder.newOptionalBinder(binder, LlmClient.class)
        .setDefault()
        .to(Key.get(LlmClient.class, Names.named(RAW)));
  }

  @Provides
  @Singleton
  OllamaConfig config(Settings settings) {
    return OllamaConfig.from(settings);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OllamaModule;
  }

  @Override
  public int hashCode() {
    return OllamaModule.class.hashCode();
  }
}
