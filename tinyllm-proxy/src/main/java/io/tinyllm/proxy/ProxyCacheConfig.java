package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * The optional response cache of {@code tinyllm proxy}: deterministic LLM calls (temperature 0 or a
 * fixed seed) answered again from the bytes of an earlier identical call. Redis is reached with the
 * cache plug-in's {@code cache.redis.*} settings.
 *
 * <pre>{@code
 * ProxyCacheConfig config = ProxyCacheConfig.from(Settings.of(Map.of(
 *     "proxy.cache.enabled", "true", "proxy.cache.backend", "redis")));
 * }</pre>
 *
 * @param enabled whether answers are cached (off by default)
 * @param backend {@code memory} (this proxy) or {@code redis} (shared by replicas)
 * @param ttl how long an answer is served; zero keeps it until evicted
 * @param maxEntries answers held in memory at most
 * @param maxBytes answer bytes held in memory at most
 * @param maxEntryBytes the largest answer stored; larger ones are forwarded but not kept
 */
public record ProxyCacheConfig(
    boolean enabled,
    String backend,
    Duration ttl,
    int maxEntries,
    int maxBytes,
    int maxEntryBytes) {
  public static final String ENABLED = "proxy.cache.enabled";
  public static final String BACKEND = "proxy.cache.backend";
  public static final String TTL = "proxy.cache.ttl";
  public static final String MAX_ENTRIES = "proxy.cache.max-entries";
  public static final String MAX_BYTES = "proxy.cache.max-bytes";
  public static final String MAX_ENTRY_BYTES = "proxy.cache.max-entry-bytes";

  public static final String MEMORY = "memory";
  public static final String REDIS = "redis";
  public static final List<String> BACKENDS = List.of(MEMORY, REDIS);

  public static final Duration DEFAULT_TTL = Duration.ofHours(1);
  public static final int DEFAULT_MAX_ENTRIES = 10_000;
  public static final int DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
  public static final int DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

  public ProxyCacheConfig {
    requireNonNull(backend, "backend is null");
    requireNonNull(ttl, "ttl is null");
    if (!BACKENDS.contains(backend)) {
      throw new ConfigException(
          "Invalid value '" + backend + "' for setting '" + BACKEND + "': expected " + BACKENDS);
    }
    if (ttl.isNegative()) {
      throw new ConfigException("Setting '" + TTL + "' must not be negative, got " + ttl);
    }
    if (maxEntryBytes > maxBytes) {
      throw new ConfigException(
          "Setting '"
              + MAX_ENTRY_BYTES
              + "' ("
              + maxEntryBytes
              + ") must not exceed '"
              + MAX_BYTES
              + "' ("
              + maxBytes
              + ")");
    }
  }

  public static ProxyCacheConfig defaults() {
    return from(Settings.empty());
  }

  public static ProxyCacheConfig from(Settings settings) {
    requireNonNull(settings, "settings is null");
    return new ProxyCacheConfig(
        settings.getBoolean(ENABLED, false),
        settings.getString(BACKEND, MEMORY).strip(),
        settings.getDuration(TTL, DEFAULT_TTL),
        settings.getInt(MAX_ENTRIES, DEFAULT_MAX_ENTRIES, 1, 10_000_000),
        settings.getInt(MAX_BYTES, DEFAULT_MAX_BYTES, 1024, Integer.MAX_VALUE),
        settings.getInt(MAX_ENTRY_BYTES, DEFAULT_MAX_ENTRY_BYTES, 1, Integer.MAX_VALUE));
  }

  /** The {@code cache_type} label of this cache's series in the cache plug-in's families. */
  String cacheType() {
    return "proxy_" + backend;
  }
}
