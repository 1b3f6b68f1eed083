package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.tinyllm.api.cache.ResponseCache;
import io.tinyllm.api.llm.LlmResponse;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The in-memory backend ({@code cache_type="memory"}): a Caffeine cache bounded by {@code
 * cache.max-entries}, entries expiring {@code cache.ttl} after they were written.
 *
 * <p>Maintenance (eviction, expiry clean-up) runs on the calling thread rather than Caffeine's
 * default common pool, so the eviction counter is exact the moment a call returns.
 */
@Singleton
public final class CaffeineResponseCache implements ResponseCache {
  public static final String TYPE = "memory";

  private final Cache<String, LlmResponse> cache;
  private final CacheMetrics metrics;
  private final Ticker ticker;

  /** A cache on the system clock. */
  public CaffeineResponseCache(CacheConfig config, CacheMetrics metrics) {
    this(config, metrics, io.tinyllm.api.time.Ticker.system());
  }

  /**
   * The injector's cache: {@code ticker} times lookups and ages entries (adapted to Caffeine's
   * ticker here, so Caffeine's type stays inside this module).
   */
  @Inject
  public CaffeineResponseCache(
      CacheConfig config, CacheMetrics metrics, io.tinyllm.api.time.Ticker ticker) {
    requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    requireNonNull(ticker, "ticker is null");
    this.ticker = ticker::read;
    Caffeine<String, LlmResponse> builder =
        Caffeine.newBuilder()
            .maximumSize(config.maxEntries())
            .ticker(this.ticker)
            .executor(Runnable::run)
            .evictionListener(
                (String key, LlmResponse value, RemovalCause cause) ->
                    metrics.evicted(TYPE, cause.name().toLowerCase(Locale.ROOT)));
    if (config.expires()) {
      builder.expireAfterWrite(config.ttl());
    }
    this.cache = builder.build();
    metrics.trackEntries(TYPE, this::size);
    // the causes Caffeine's eviction listener reports: size, expired, collected
    metrics.cacheCreated(
        TYPE, config.expires() ? List.of("size", "expired") : List.of("size"), List.of());
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Optional<LlmResponse> get(String key) {
    long start = ticker.read();
    LlmResponse response = cache.getIfPresent(key);
    metrics.lookedUp(TYPE, Duration.ofNanos(ticker.read() - start));
    if (response == null) {
      metrics.miss(TYPE);
      return Optional.empty();
    }
    metrics.hit(TYPE);
    return Optional.of(response);
  }

  @Override
  public void put(String key, LlmResponse response) {
    cache.put(key, response);
    metrics.stored(TYPE);
  }

  @Override
  public void invalidate(String key) {
    cache.invalidate(key);
  }

  @Override
  public void clear() {
    cache.invalidateAll();
  }

  @Override
  public long size() {
    // expired entries linger until maintenance runs; count only live ones
    cache.cleanUp();
    return cache.estimatedSize();
  }
}
