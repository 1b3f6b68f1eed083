package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.tinyllm.api.time.Ticker;
import io.tinyllm.cache.CacheMetrics;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The proxy's answers in this process: a Caffeine cache bounded in bytes ({@code
 * proxy.cache.max-bytes}) and in entries ({@code proxy.cache.max-entries}), entries expiring {@code
 * proxy.cache.ttl} after they were written.
 *
 * <p>Caffeine bounds either a count or a weight, not both; each entry therefore weighs its bytes
 * but at least {@code max-bytes / max-entries}, which keeps both bounds: the weights of more than
 * {@code max-entries} entries would exceed {@code max-bytes}. Maintenance runs on the calling
 * thread, so evictions are counted the moment a call returns.
 */
final class MemoryAnswerStore implements AnswerStore {
  private final Cache<String, CachedAnswer> cache;

  MemoryAnswerStore(ProxyCacheConfig config, CacheMetrics metrics, Ticker ticker) {
    requireNonNull(config, "config is null");
    requireNonNull(metrics, "metrics is null");
    requireNonNull(ticker, "ticker is null");
    String type = config.cacheType();
    int least = (int) -Math.floorDiv(-(long) config.maxBytes(), config.maxEntries());
    Caffeine<String, CachedAnswer> builder =
        Caffeine.newBuilder()
            .maximumWeight(config.maxBytes())
            .weigher((String key, CachedAnswer answer) -> Math.max(answer.size(), least))
            .ticker(ticker::read)
            .executor(Runnable::run)
            .evictionListener(
                (String key, CachedAnswer answer, RemovalCause cause) ->
                    metrics.evicted(type, cause.name().toLowerCase(Locale.ROOT)));
    boolean expires = !config.ttl().isZero();
    if (expires) {
      builder.expireAfterWrite(config.ttl());
    }
    cache = builder.build();
    metrics.trackEntries(type, this::size);
    metrics.cacheCreated(type, expires ? List.of("size", "expired") : List.of("size"), List.of());
  }

  @Override
  public Optional<CachedAnswer> get(String key) {
    return Optional.ofNullable(cache.getIfPresent(key));
  }

  @Override
  public boolean put(String key, CachedAnswer answer) {
    cache.put(key, answer);
    return true;
  }

  /** Live entries (expired ones are cleaned first). */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  @Override
  public void close() {
    cache.invalidateAll();
  }
}
