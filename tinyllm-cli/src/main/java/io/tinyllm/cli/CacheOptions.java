package io.tinyllm.cli;

import io.tinyllm.api.config.Durations;
import io.tinyllm.cache.CacheConfig;
import io.tinyllm.cache.RedisCacheConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The response-cache options: on or off, which backend, how long entries live, where Redis is. */
final class CacheOptions {
  static final List<String> BACKENDS = List.of("memory", "redis");

  @Option(
      names = "--cache",
      negatable = true,
      description = "Answer repeated deterministic requests from the cache (default: off).")
  Boolean enabled;

  @Option(
      names = "--cache-backend",
      paramLabel = "BACKEND",
      description = "memory (this process, the default) or redis (shared).")
  String backend;

  @Option(
      names = "--cache-ttl",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long a cached answer lives (default 1h; 0 = until evicted).")
  Duration ttl;

  @Option(
      names = "--redis-uri",
      paramLabel = "URI",
      description = "Redis for --cache-backend redis (default redis://127.0.0.1:6379).")
  String redisUri;

  /** Adds the given options to {@code settings}; a wrong backend name is a usage error. */
  void addTo(Map<String, String> settings) {
    if (backend != null && !BACKENDS.contains(backend)) {
      throw new UsageException(
          "Invalid value '" + backend + "' for --cache-backend: expected memory or redis");
    }
    if (enabled != null) {
      settings.put(CacheConfig.ENABLED, enabled.toString());
    }
    if (backend != null) {
      settings.put(CacheConfig.BACKEND, backend);
    }
    if (ttl != null) {
      settings.put(CacheConfig.TTL, Durations.format(ttl));
    }
    if (redisUri != null) {
      settings.put(RedisCacheConfig.URI_KEY, redisUri);
    }
  }

  /** Whether Redis is configured: asked for as the backend, or given an address. */
  boolean redisConfigured() {
    return "redis".equals(backend) || redisUri != null;
  }
}
