package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.time.Duration;

/**
 * Settings of the cache plug-in.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@code cache.enabled}</td><td>{@code false}: the injector's {@code LlmClient} is the raw one</td></tr>
 *   <tr><td>{@code cache.backend}</td><td>{@value #DEFAULT_BACKEND}; or {@code redis}</td></tr>
 *   <tr><td>{@code cache.max-entries}</td><td>{@value #DEFAULT_MAX_ENTRIES} (memory backend)</td></tr>
 *   <tr><td>{@code cache.ttl}</td><td>{@code 1h}; {@code 0} keeps entries until evicted</td></tr>
 *   <tr><td>{@code cache.cache-nondeterministic}</td><td>{@code false}</td></tr>
 * </table>
 *
 * <p>and those of {@link RedisCacheConfig}.
 */
public record CacheConfig(
    boolean enabled,
    String backend,
    long maxEntries,
    Duration ttl,
    boolean cacheNondeterministic,
    RedisCacheConfig redis) {

  public static final String ENABLED = "cache.enabled";
  public static final String BACKEND = "cache.backend";
  public static final String MAX_ENTRIES = "cache.max-entries";
  public static final String TTL = "cache.ttl";
  public static final String CACHE_NONDETERMINISTIC = "cache.cache-nondeterministic";

  public static final String DEFAULT_BACKEND = CaffeineResponseCache.TYPE;
  public static final int DEFAULT_MAX_ENTRIES = 10_000;
  public static final Duration DEFAULT_TTL = Duration.ofHours(1);

  public CacheConfig {
    requireNonNull(backend, "backend is null");
    requireNonNull(ttl, "ttl is null");
    requireNonNull(redis, "redis is null");
    if (maxEntries < 1) {
      throw new ConfigException("Setting '" + MAX_ENTRIES + "' must be at least 1");
    }
    if (ttl.isNegative()) {
      throw new ConfigException("Setting '" + TTL + "' must not be negative, got " + ttl);
    }
  }

  public static CacheConfig defaults() {
    return from(Settings.empty());
  }

  public static CacheConfig from(Settings settings) {
    return new CacheConfig(
        settings.getBoolean(ENABLED, false),
        settings.getString(BACKEND, DEFAULT_BACKEND),
        settings.getInt(MAX_ENTRIES, DEFAULT_MAX_ENTRIES, 1, Integer.MAX_VALUE),
        settings.getDuration(TTL, DEFAULT_TTL),
        settings.getBoolean(CACHE_NONDETERMINISTIC, false),
        RedisCacheConfig.from(settings));
  }

  /** Whether entries expire at all ({@code cache.ttl} above zero). */
  public boolean expires() {
    return !ttl.isZero();
  }

  /** These settings with a different TTL, for tests and tools. */
  public CacheConfig withTtl(Duration newTtl) {
    return new CacheConfig(enabled, backend, maxEntries, newTtl, cacheNondeterministic, redis);
  }
}
