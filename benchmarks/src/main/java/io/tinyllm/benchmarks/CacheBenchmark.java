package io.tinyllm.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.cache.CacheConfig;
import io.tinyllm.cache.CacheKeys;
import io.tinyllm.cache.CacheMetrics;
import io.tinyllm.cache.CachingLlmClient;
import io.tinyllm.cache.CaffeineResponseCache;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Item 4 of issue #9: a cache hit in memory, from the bare Caffeine lookup up to a {@code generate}
 * answered by our caching decorator.
 *
 * <ul>
 *   <li>{@link #caffeineBare}: {@code getIfPresent} on a Caffeine cache built as ours is.
 *   <li>{@link #oursCacheGet}: {@link CaffeineResponseCache#get} (lookup histogram, hit counter,
 *       {@code Optional}).
 *   <li>{@link #cacheKey}: {@link CacheKeys#of(GenerateRequest)}, which the decorator computes per
 *       call.
 *   <li>{@link #oursDecoratorHit}: {@link CachingLlmClient#generate} answered from the cache.
 * </ul>
 *
 * <p>Latest figures (2026-11-28, run D; KVM guest, 2 vCPUs Intel Xeon family 6 model 207; OpenJDK
 * 17.0.15; JMH 1.37; {@code -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}; load average 2.1 to 2.4; details
 * in {@code docs/performance.md}, item 6):
 *
 * <pre>
 * caffeineBare         43.294 ±   9.456 ns/op      0 B/op
 * oursCacheGet        174.863 ±  31.110 ns/op    176 B/op
 * cacheKey            732.103 ± 144.113 ns/op   1992 B/op
 * oursDecoratorHit   1146.467 ± 491.688 ns/op   2168 B/op
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheBenchmark {
  private final GenerateRequest request =
      GenerateRequest.builder("qwen2.5:0.5b", "What is the capital of France?")
          .options(GenerationOptions.builder().temperature(0.0).numPredict(64).build())
          .build();
  private final LlmResponse response =
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
          Duration.ofMillis(250));

  private String key;
  private Cache<String, LlmResponse> bare;
  private CaffeineResponseCache ours;
  private CachingLlmClient decorator;

  @Setup
  public void setUp() {
    key = CacheKeys.of(request);
    CacheConfig config = CacheConfig.defaults();
    bare =
        Caffeine.newBuilder()
            .maximumSize(config.maxEntries())
            .expireAfterWrite(config.ttl())
            .executor(Runnable::run)
            .build();
    bare.put(key, response);
    CacheMetrics metrics = new CacheMetrics();
    ours = new CaffeineResponseCache(config, metrics);
    ours.put(key, response);
    decorator = new CachingLlmClient(new NoModel(), ours, metrics, false);
  }

  @Benchmark
  public LlmResponse caffeineBare() {
    return bare.getIfPresent(key);
  }

  @Benchmark
  public Optional<LlmResponse> oursCacheGet() {
    return ours.get(key);
  }

  @Benchmark
  public String cacheKey() {
    return CacheKeys.of(request);
  }

  @Benchmark
  public LlmResponse oursDecoratorHit() {
    return decorator.generate(request);
  }

  /** A model that must never be asked: every benchmarked call is a hit. */
  private static final class NoModel implements LlmClient {
    @Override
    public LlmResponse generate(GenerateRequest request) {
      throw new IllegalStateException("cache miss");
    }

    @Override
    public LlmResponse chat(ChatRequest request) {
      throw new IllegalStateException("cache miss");
    }

    @Override
    public StreamHandle generateStream(GenerateRequest request, StreamListener listener) {
      throw new IllegalStateException("cache miss");
    }

    @Override
    public StreamHandle chatStream(ChatRequest request, StreamListener listener) {
      throw new IllegalStateException("cache miss");
    }

    @Override
    public EmbedResponse embed(EmbedRequest request) {
      throw new IllegalStateException("cache miss");
    }
  }
}
