package io.tinyllm.benchmarks;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.cache.CacheConfig;
import io.tinyllm.cache.CacheMetrics;
import io.tinyllm.cache.RedisCacheConfig;
import io.tinyllm.cache.RedisResponseCache;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Item 4 of issue #9: a Redis cache hit, with its round trip, through our {@link
 * RedisResponseCache} (decode, metrics) against a bare Lettuce {@code GET} of the same bytes.
 * Starts its own {@code redis-server} (from {@code PATH}) on a free loopback port, without
 * persistence.
 *
 * <p>Latest figures (2026-11-27; KVM guest, 2 vCPUs Intel Xeon family 6 model 207; OpenJDK 17.0.15;
 * JMH 1.37; {@code -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}; load average 0.1 to 2.7; details in
 * {@code docs/performance.md}, item 4):
 *
 * <pre>
 * oursRedisGet     99.266 ± 10.645 us/op   2281 B/op
 * bareLettuceGet   89.941 ± 20.203 us/op   1288 B/op
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RedisCacheBenchmark {
  private static final String KEY = "bench-key";

  private Process redis;
  private RedisResponseCache ours;
  private RedisClient bareClient;
  private StatefulRedisConnection<String, byte[]> bareConnection;
  private RedisCommands<String, byte[]> bare;
  private String prefixedKey;

  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    redis =
        new ProcessBuilder(
                "redis-server",
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    awaitPort(port);
    String uri = "redis://127.0.0.1:" + port;
    CacheConfig config = CacheConfig.from(Settings.of(Map.of(RedisCacheConfig.URI_KEY, uri)));
    ours = new RedisResponseCache(config, new CacheMetrics());
    ours.put(
        KEY,
        new LlmResponse(
            "qwen2.5:0.5b",
            "The capital of France is Paris.",
            null,
            "stop",
            12,
            8,
            Duration.ofMillis(300),
            Duration.ZERO,
            Duration.ofMillis(20),
            Duration.ofMillis(250)));
    prefixedKey = config.redis().keyPrefix() + KEY;
    bareClient = RedisClient.create(uri);
    bareConnection = bareClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    bare = bareConnection.sync();
    if (ours.get(KEY).isEmpty() || bare.get(prefixedKey) == null) {
      throw new IllegalStateException("the entry did not reach Redis");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    bareConnection.close();
    bareClient.shutdown();
    ours.close();
    redis.destroy();
    redis.waitFor(5, TimeUnit.SECONDS);
  }

  @Benchmark
  public Optional<LlmResponse> oursRedisGet() {
    return ours.get(KEY);
  }

  @Benchmark
  public byte[] bareLettuceGet() {
    return bare.get(prefixedKey);
  }

  private static void awaitPort(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("redis-server did not listen on port " + port);
  }
}
