package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes under {@code cache.redis.key-prefix} in a Redis server reached with Lettuce, written with a
 * millisecond TTL: the connection and failure handling every Redis-backed cache shares. {@link
 * RedisResponseCache} stores encoded {@code LlmResponse}s in it; {@code tinyllm proxy} stores the
 * bytes of answers it replays.
 *
 * <pre>{@code
 * try (RedisStore store = new RedisStore(config.redis(), Duration.ofHours(1), metrics, "redis")) {
 *   store.put("key", bytes);          // false when Redis failed (counted, logged once)
 *   Optional<byte[]> found = store.get("key");
 * }
 * }</pre>
 *
 * <p>It never throws at a caller: an operation that errs or takes longer than {@code
 * cache.redis.timeout} counts {@code tinyllm_cache_errors_total{cache_type,operation}} and returns
 * as if nothing were stored. It connects on first use, not at start; while Redis is unreachable,
 * commands fail at once instead of queueing (so a request pays no timeout), one connection attempt
 * is made at most every {@code cache.redis.reconnect-delay}, and a lost connection is
 * re-established in the background with back-off up to that delay.
 *
 * <p>Close it at shutdown to release Lettuce's threads (they are daemon threads, so a forgotten
 * close does not keep the JVM alive).
 */
public final class RedisStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisStore.class);
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  private static final int SCAN_BATCH = 500;

  private final RedisCacheConfig config;
  private final Duration ttl;
  private final CacheMetrics metrics;
  private final String cacheType;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;

  private final ReentrantLock connecting = new ReentrantLock();
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private volatile long nextConnectNanos = System.nanoTime();
  private volatile boolean failing;

  /**
   * A store on the server of {@code config}, entries living {@code ttl} (zero: until Redis evicts
   * them), failures counted under {@code cacheType}.
   */
  public RedisStore(RedisCacheConfig config, Duration ttl, CacheMetrics metrics, String cacheType) {
    this.config = requireNonNull(config, "config is null");
    this.ttl = requireNonNull(ttl, "ttl is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.cacheType = requireNonNull(cacheType, "cacheType is null");
    this.uri = redisUri(config);
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), config.reconnectDelay(), 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources);
    client.setOptions(clientOptions(config));
  }

  private static RedisURI redisUri(RedisCacheConfig config) {
    RedisURI uri = RedisURI.create(config.uri());
    uri.setTimeout(config.timeout());
    uri.setSsl(config.tls());
    uri.setVerifyPeer(config.tlsVerifyPeer() ? SslVerifyMode.FULL : SslVerifyMode.NONE);
    if (config.password().isPresent()) {
      if (config.username().isPresent()) {
        uri.setAuthentication(config.username().get(), config.password().get());
      } else {
        uri.setAuthentication(config.password().get());
      }
    }
    return uri;
  }

  private static ClientOptions clientOptions(RedisCacheConfig config) {
    SslOptions.Builder ssl = SslOptions.builder();
    config.tlsCaFile().ifPresent(file -> ssl.trustManager(new File(file)));
    return ClientOptions.builder()
        .autoReconnect(true)
        // a cache that is down must cost a request nothing: fail at once, don't queue and wait
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(config.timeout()).build())
        .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
        .sslOptions(ssl.build())
        .build();
  }

  /** The bytes under {@code key} (after the prefix); empty when absent or when Redis failed. */
  public Optional<byte[]> get(String key) {
    try {
      byte[] bytes = commands().get(config.keyPrefix() + key);
      succeeded();
      return Optional.ofNullable(bytes);
    } catch (RuntimeException e) {
      failed("get", e);
      return Optional.empty();
    }
  }

  /** Writes {@code bytes} under {@code key} with the TTL; false when Redis failed. */
  public boolean put(String key, byte[] bytes) {
    try {
      RedisCommands<String, byte[]> commands = commands();
      if (ttl.isZero()) {
        commands.set(config.keyPrefix() + key, bytes);
      } else {
        commands.set(config.keyPrefix() + key, bytes, SetArgs.Builder.px(ttl));
      }
      succeeded();
      return true;
    } catch (RuntimeException e) {
      failed("put", e);
      return false;
    }
  }

  public void delete(String key) {
    try {
      commands().del(config.keyPrefix() + key);
      succeeded();
    } catch (RuntimeException e) {
      failed("invalidate", e);
    }
  }

  /** Removes every entry under the key prefix, and only those. */
  public void clear() {
    try {
      RedisCommands<String, byte[]> commands = commands();
      ScanArgs match = ScanArgs.Builder.matches(globEscaped(config.keyPrefix()) + "*");
      match.limit(SCAN_BATCH);
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> batch = commands.scan(cursor, match);
        List<String> keys = batch.getKeys();
        if (!keys.isEmpty()) {
          commands.unlink(keys.toArray(String[]::new));
        }
        cursor = batch;
      } while (!cursor.isFinished());
      succeeded();
    } catch (RuntimeException e) {
      failed("clear", e);
    }
  }

  /** Whether a connection to Redis is open right now. */
  public boolean isConnected() {
    StatefulRedisConnection<String, byte[]> current = connection;
    return current != null && current.isOpen();
  }

  /** Counts a failure of {@code operation} that the caller found in what Redis returned. */
  void failedToRead(String operation) {
    metrics.error(cacheType, operation);
  }

  private RedisCommands<String, byte[]> commands() {
    StatefulRedisConnection<String, byte[]> current = connection;
    if (current != null) {
      return current.sync();
    }
    return connect().sync();
  }

  private StatefulRedisConnection<String, byte[]> connect() {
    if (!lockForConnecting()) {
      throw notConnected();
    }
    try {
      if (connection == null) {
        // an attempt that just failed holds the others off until the reconnect delay has passed
        if (System.nanoTime() - nextConnectNanos < 0) {
          throw notConnected();
        }
        nextConnectNanos = System.nanoTime() + config.reconnectDelay().toNanos();
        connection = client.connect(CODEC, uri);
      }
      return connection;
    } finally {
      connecting.unlock();
    }
  }

  /**
   * One thread connects at a time. While Redis is known to be down the others miss at once; on
   * first use, when nothing is known yet, they wait for the one connecting, however long its
   * attempt takes (the client's connect and command timeouts bound it), so a healthy Redis is not
   * mistaken for an outage. A fixed cap on that wait would be: a cold JVM on a busy machine can
   * take longer than any cap to load the client's classes and make its first connection.
   */
  private boolean lockForConnecting() {
    if (failing) {
      return connecting.tryLock();
    }
    try {
      connecting.lockInterruptibly();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private IllegalStateException notConnected() {
    return new IllegalStateException(
        "Redis at " + uri.getHost() + ":" + uri.getPort() + " is not connected");
  }

  private void succeeded() {
    if (failing) {
      failing = false;
      log.info("Redis cache at {}:{} is reachable again", uri.getHost(), uri.getPort());
    }
  }

  private void failed(String operation, RuntimeException e) {
    metrics.error(cacheType, operation);
    if (!failing) {
      failing = true;
      // once per outage, not once per request
      log.warn(
          "Redis cache at {}:{} failed ({}: {}); requests go on without it until it is back",
          uri.getHost(),
          uri.getPort(),
          operation,
          e.toString());
    } else {
      log.debug("Redis cache {} failed: {}", operation, e.toString());
    }
  }

  private static String globEscaped(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  @Override
  public void close() {
    StatefulRedisConnection<String, byte[]> current = connection;
    connection = null;
    if (current != null) {
      current.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
