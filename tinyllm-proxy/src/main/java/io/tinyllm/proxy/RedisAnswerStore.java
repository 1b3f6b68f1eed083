package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.cache.CacheMetrics;
import io.tinyllm.cache.RedisCacheConfig;
import io.tinyllm.cache.RedisStore;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's answers in Redis, shared by every replica pointed at the same server: the cache
 * plug-in's {@link RedisStore} (its {@code cache.redis.*} settings, connection and failure
 * handling), keys under {@code cache.redis.key-prefix} then {@value #NAMESPACE}, so they never meet
 * the Java client's entries. Redis bounds the memory ({@code maxmemory}) and expires entries
 * itself.
 */
final class RedisAnswerStore implements AnswerStore {
  /** After the configured prefix: the proxy's keys apart from the Java client's. */
  static final String NAMESPACE = "proxy:";

  private static final Logger log = LoggerFactory.getLogger(RedisAnswerStore.class);

  private final RedisStore store;
  private final CacheMetrics metrics;
  private final String type;

  RedisAnswerStore(ProxyCacheConfig config, RedisCacheConfig redis, CacheMetrics metrics) {
    requireNonNull(config, "config is null");
    requireNonNull(redis, "redis is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.type = config.cacheType();
    this.store = new RedisStore(redis, config.ttl(), metrics, type);
    metrics.cacheCreated(type, List.of(), List.of("get", "put", "decode"));
  }

  @Override
  public Optional<CachedAnswer> get(String key) {
    Optional<byte[]> bytes = store.get(NAMESPACE + key);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(CachedAnswer.decode(bytes.get()));
    } catch (IllegalArgumentException e) {
      // another version's entry, or damaged: absent, and the next answer replaces it
      metrics.error(type, "decode");
      log.warn("Ignoring unreadable proxy cache entry {}: {}", key, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public boolean put(String key, CachedAnswer answer) {
    return store.put(NAMESPACE + key, answer.encode());
  }

  @Override
  public void close() {
    store.close();
  }
}
