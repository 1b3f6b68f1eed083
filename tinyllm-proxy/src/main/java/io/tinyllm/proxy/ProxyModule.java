package io.tinyllm.proxy;

import static io.tinyllm.metrics.MetricsBinder.metricsBinder;

import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.api.time.Ticker;
import io.tinyllm.cache.CacheMetrics;
import io.tinyllm.cache.RedisCacheConfig;
import io.tinyllm.ollama.OllamaConfig;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The proxy plug-in: {@link ProxyServer} (started by {@code tinyllm proxy}, not by installing the
 * module), its {@link ProxyConfig} under {@code proxy.}, and its own {@link ProxyMetrics}. The LLM
 * calls it sees are recorded in the Ollama plug-in's metric sets through its {@code OllamaMetrics}
 * — the same singletons the Java client records into, bound once by that plug-in, so a process
 * running both the client and the proxy shows one family of each name.
 */
public final class ProxyModule implements TinyLlmModule {
  @Override
  public String name() {
    return "proxy";
  }

  @Override
  public KnownSettings knownSettings() {
    return KnownSettings.readBy(
        List.of("proxy."),
        settings -> {
          ProxyConfig.from(settings);
          FleetConfig.from(settings);
          AdmissionConfig.from(settings);
          ProxyCacheConfig.from(settings);
        });
  }

  @Override
  public void configure(Binder binder) {
    metricsBinder(binder).bind(ProxyMetrics.class);
    metricsBinder(binder).bind(FleetMetrics.class);
    metricsBinder(binder).bind(AdmissionMetrics.class);
    binder.bind(ProxyServer.class).in(Scopes.SINGLETON);
  }

  @Provides
  @Singleton
  ProxyConfig config(Settings settings) {
    return ProxyConfig.from(settings);
  }

  @Provides
  @Singleton
  FleetConfig fleetConfig(Settings settings) {
    return FleetConfig.from(settings);
  }

  @Provides
  @Singleton
  Fleet fleet(
      FleetConfig config,
      AdmissionConfig admission,
      OllamaConfig ollama,
      FleetMetrics metrics,
      AdmissionMetrics admissionMetrics,
      Ticker ticker) {
    return new Fleet(config, admission, ollama, metrics, admissionMetrics, ticker);
  }

  @Provides
  @Singleton
  ProxyCacheConfig cacheConfig(Settings settings) {
    return ProxyCacheConfig.from(settings);
  }

  /** The response cache ({@code proxy.cache.*}); Redis is reached with {@code cache.redis.*}. */
  @Provides
  @Singleton
  ProxyCache cache(
      ProxyCacheConfig config, Settings settings, CacheMetrics metrics, Ticker ticker) {
    return new ProxyCache(config, RedisCacheConfig.from(settings), metrics, ticker);
  }

  @Provides
  @Singleton
  AdmissionConfig admissionConfig(Settings settings) {
    return AdmissionConfig.from(settings);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProxyModule;
  }

  @Override
  public int hashCode() {
    return ProxyModule.class.hashCode();
  }
}
