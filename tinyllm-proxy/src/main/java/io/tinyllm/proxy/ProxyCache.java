package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.time.Ticker;
import io.tinyllm.cache.CacheMetrics;
import io.tinyllm.cache.RedisCacheConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The proxy's optional response cache ({@code proxy.cache.enabled}): a deterministic LLM call
 * (temperature 0 or a fixed seed, see {@link AnswerKeys}) whose identical call was answered before
 * is answered again from the stored bytes, without a backend.
 *
 * <pre>{@code
 * CacheLookup cached = cache.lookup(endpoint, peek, headers);    // null: not cached
 * if (cached != null && cached.hit()) { cached.replay(...); return; }
 * AnswerRecording recording = cached == null ? null : cached.recording(status, contentType);
 * }</pre>
 *
 * <p>Only a whole {@code 200} answer the call recorder judged a success is kept, and only up to
 * {@code proxy.cache.max-entry-bytes}: never an error, an answer broken off or cancelled, nor one
 * that is too large. Lookups, hits, misses, skips, stores and the memory store's entries and
 * evictions are counted in the cache plug-in's families with {@code cache_type} {@code
 * proxy_memory} or {@code proxy_redis}.
 *
 * <p>Identical calls at the same moment are not coalesced: each miss asks a backend, and the last
 * to finish is kept (the cache plug-in's single flight waits for a whole {@code LlmResponse}; a
 * streamed call waiting for another's whole answer would lose its first token's latency).
 */
public final class ProxyCache implements AutoCloseable {
  private final ProxyCacheConfig config;
  private final CacheMetrics metrics;
  private final Ticker ticker;
  private final AnswerStore store;
  private final String type;
  private final AtomicBoolean closed = new AtomicBoolean();

  ProxyCache(ProxyCacheConfig config, RedisCacheConfig redis, CacheMetrics metrics, Ticker ticker) {
    this.config = requireNonNull(config, "config is null");
    requireNonNull(redis, "redis is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.ticker = requireNonNull(ticker, "ticker is null");
    this.type = config.cacheType();
    if (!config.enabled()) {
      store = null;
    } else if (ProxyCacheConfig.REDIS.equals(config.backend())) {
      store = new RedisAnswerStore(config, redis, metrics);
    } else {
      store = new MemoryAnswerStore(config, metrics, ticker);
    }
  }

  /** Whether answers are cached at all. */
  public boolean enabled() {
    return store != null;
  }

  /**
   * Looks up a call to {@code endpoint} whose body starts with {@code peek}, sent with {@code
   * authorization} (the header's value, null without one); null when the cache is off or does not
   * take this call (counted as a skip when it is a call it could have taken).
   */
  CacheLookup lookup(LlmEndpoint endpoint, RequestPeek peek, String authorization) {
    if (store == null || endpoint == null || peek == null) {
      return null;
    }
    AnswerKeys.Decision decision = AnswerKeys.of(endpoint, peek, authorization);
    if (decision == null) {
      return null;
    }
    if (decision.key() == null) {
      metrics.skipped(type, decision.skipReason());
      return null;
    }
    long start = ticker.read();
    Optional<CachedAnswer> found;
    try {
      found = store.get(decision.key());
    } finally {
      metrics.lookedUp(type, Duration.ofNanos(ticker.read() - start));
    }
    if (found.isPresent()) {
      metrics.hit(type);
    } else {
      metrics.miss(type);
    }
    return new CacheLookup(this, decision.key(), found.orElse(null));
  }

  /** Keeps a whole, successful answer under {@code key}. */
  void store(String key, CachedAnswer answer) {
    if (store.put(key, answer)) {
      metrics.stored(type);
    }
  }

  int maxEntryBytes() {
    return config.maxEntryBytes();
  }

  @Override
  public void close() {
    if (store != null && closed.compareAndSet(false, true)) {
      store.close();
    }
  }
}
