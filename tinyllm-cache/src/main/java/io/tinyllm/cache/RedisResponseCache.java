package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.cache.ResponseCache;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.time.Ticker;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared backend ({@code cache_type="redis"}): entries under {@code cache.redis.key-prefix} in
 * a Redis server, in a {@link RedisStore} with a millisecond TTL.
 *
 * <p>Redis never fails a caller: a lookup that errs or takes longer than {@code
 * cache.redis.timeout} counts an error and a miss, a write that errs counts an error and is
 * dropped. It connects on first use, not at start; while Redis is unreachable, commands fail at
 * once instead of queueing (so a request pays no timeout), one connection attempt is made at most
 * every {@code cache.redis.reconnect-delay}, and a lost connection is re-established in the
 * background with back-off up to that delay.
 *
 * <p>Close it at shutdown to release Lettuce's threads (they are daemon threads, so a forgotten
 * close does not keep the JVM alive).
 */
@Singleton
public final class RedisResponseCache implements ResponseCache, AutoCloseable {
  public static final String TYPE = "redis";

  private static final Logger log = LoggerFactory.getLogger(RedisResponseCache.class);

  private final CacheMetrics metrics;
  private final Ticker ticker;
  private final RedisStore store;

  /** A cache whose lookups are timed on the system clock. */
  public RedisResponseCache(CacheConfig config, CacheMetrics metrics) {
    this(config, metrics, Ticker.system());
  }

  /** The injector's cache: {@code ticker} times lookups. */
  @Inject
  public RedisResponseCache(CacheConfig config, CacheMetrics metrics, Ticker ticker) {
    requireNonNull(config, "config is null");
    this.ticker = requireNonNull(ticker, "ticker is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.store = new RedisStore(config.redis(), config.ttl(), metrics, TYPE);
    // Redis expires entries itself: no evictions are reported
    metrics.cacheCreated(TYPE, List.of(), List.of("get", "put", "invalidate", "clear", "decode"));
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Optional<LlmResponse> get(String key) {
    long start = ticker.read();
    Optional<byte[]> bytes;
    try {
      bytes = store.get(key);
    } finally {
      metrics.lookedUp(TYPE, Duration.ofNanos(ticker.read() - start));
    }
    if (bytes.isEmpty()) {
      metrics.miss(TYPE);
      return Optional.empty();
    }
    try {
      LlmResponse response = ResponseCodec.decode(bytes.get());
      metrics.hit(TYPE);
      return Optional.of(response);
    } catch (IllegalArgumentException e) {
      // written by an incompatible version or damaged: treat as absent, the next put replaces it
      store.failedToRead("decode");
      metrics.miss(TYPE);
      log.warn("Ignoring unreadable Redis cache entry {}: {}", key, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void put(String key, LlmResponse response) {
    if (store.put(key, ResponseCodec.encode(response))) {
      metrics.stored(TYPE);
    }
  }

  @Override
  public void invalidate(String key) {
    store.delete(key);
  }

  /** Removes every entry under the key prefix, and only those. */
  @Override
  public void clear() {
    store.clear();
  }

  /** Unknown: counting the prefix's keys would scan a shared server at every scrape. */
  @Override
  public long size() {
    return -1;
  }

  /** Whether a connection to Redis is open right now. */
  public boolean isConnected() {
    return store.isConnected();
  }

  @Override
  public void close() {
    store.close();
  }
}
