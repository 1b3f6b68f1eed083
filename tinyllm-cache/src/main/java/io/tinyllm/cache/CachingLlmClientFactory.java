package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.cache.ResponseCache;
import io.tinyllm.api.llm.LlmClient;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

/**
 * Puts the configured cache in front of a client, or leaves the client alone when {@code
 * cache.enabled} is false. The cache module uses it to bind {@code LlmClient}; code that builds its
 * own client can use it the same way:
 *
 * <pre>{@code
 * LlmClient client = injector.getInstance(CachingLlmClientFactory.class).wrap(rawClient);
 * }</pre>
 */
@Singleton
public final class CachingLlmClientFactory {
  private final CacheConfig config;
  private final Provider<ResponseCache> cache;
  private final CacheMetrics metrics;

  @Inject
  public CachingLlmClientFactory(
      CacheConfig config, Provider<ResponseCache> cache, CacheMetrics metrics) {
    this.config = requireNonNull(config, "config is null");
    this.cache = requireNonNull(cache, "cache is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  /** {@code raw} behind the cache, or {@code raw} itself when caching is off. */
  public LlmClient wrap(LlmClient raw) {
    requireNonNull(raw, "raw is null");
    if (!config.enabled()) {
      return raw;
    }
    // the backend is created only now, so a disabled cache never connects to Redis
    return new CachingLlmClient(raw, cache.get(), metrics, config.cacheNondeterministic());
  }
}
