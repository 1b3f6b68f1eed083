package io.tinyllm.cache;

import static io.tinyllm.metrics.MetricsBinder.metricsBinder;

import com.google.inject.Binder;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Names;
import io.tinyllm.api.cache.ResponseCache;
import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.spi.TinyLlmModule;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The cache plug-in ({@code cache}): {@link ResponseCache} backends by name ({@code memory}, {@code
 * redis}, chosen by {@code cache.backend}), {@link CacheMetrics}, and the injector's {@link
 * LlmClient} — the model plug-in's raw client, behind the cache when {@code cache.enabled=true}.
 *
 * <p>The model plug-in binds its client twice, and nothing more is needed to put the cache in front
 * of it:
 *
 * <pre>{@code
 * binder.bind(LlmClient.class).annotatedWith(Names.named("raw")).to(OllamaClient.class);
 * OptionalBinder.newOptionalBinder(binder, LlmClient.class)
 *     .setDefault().to(Key.get(LlmClient.class, Names.named("raw")));
 * }</pre>
 *
 * <p>Without this plug-in, {@code LlmClient} is the raw client (the default); with it, this
 * module's binding overrides the default.
 */
public final class CacheModule implements TinyLlmModule {
  /** The name of the binding of the client the cache wraps. */
  public static final String RAW = "raw";

  @Override
  public String name() {
    return "cache";
  }

  @Override
  public KnownSettings knownSettings() {
    return KnownSettings.readBy(List.of("cache."), CacheConfig::from);
  }

  @Override
  public void configure(Binder binder) {
    OptionalBinder.newOptionalBinder(binder, Settings.class)
        .setDefault()
        .toInstance(Settings.empty());

    metricsBinder(binder).bind(CacheMetrics.class);

    MapBinder<String, ResponseCache> backends =
        MapBinder.newMapBinder(binder, String.class, ResponseCache.class);
    backends.addBinding(CaffeineResponseCache.TYPE).to(CaffeineResponseCache.class);
    backends.addBinding(RedisResponseCache.TYPE).to(RedisResponseCache.class);

    // present when a model plug-in binds it; the provider names what is missing otherwise
    OptionalBinder.newOptionalBinder(binder, Key.get(LlmClient.class, Names.named(RAW)));
    OptionalBinder.newOptionalBinder(binder, LlmClient.class)
        .setBinding()
        .toProvider(CachedLlmClientProvider.class)
        .in(Scopes.SINGLETON);
  }

  @Provides
  @Singleton
  CacheConfig config(Settings settings) {
    return CacheConfig.from(settings);
  }

  /** The backend named by {@code cache.backend}; only that one is ever created. */
  @Provides
  @Singleton
  ResponseCache responseCache(CacheConfig config, Map<String, Provider<ResponseCache>> backends) {
    Provider<ResponseCache> backend = backends.get(config.backend());
    if (backend == null) {
      throw new ConfigException(
          "Invalid value '"
              + config.backend()
              + "' for setting '"
              + CacheConfig.BACKEND
              + "': expected one of "
              + new TreeSet<>(backends.keySet()));
    }
    return backend.get();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheModule;
  }

  @Override
  public int hashCode() {
    return CacheModule.class.hashCode();
  }
}
