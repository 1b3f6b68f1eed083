package io.tinyllm.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.tinyllm.api.cache.ResponseCache;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.metrics.testing.RedisServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Identical concurrent misses: the model is held until every caller has joined, so the counts are
 * exact, for the memory and the Redis backend.
 */
class SingleFlightTest {
  private static final int CALLERS = 8;
  private static final GenerateRequest REQUEST =
      GenerateRequest.builder("qwen2.5:0.5b", "2+2?")
          .options(GenerationOptions.builder().temperature(0.0).build())
          .build();

  private final CacheMetrics metrics = new CacheMetrics();
  private final PrometheusRegistry registry = TestRegistries.with(metrics);
  private final HeldModel model = new HeldModel();
  private final ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
  private RedisServerProcess redis;
  private RedisResponseCache redisCache;

  @AfterEach
  void stop() {
    model.release.countDown();
    pool.shutdownNow();
    if (redisCache != null) {
      redisCache.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void identicalMissesInMemoryMakeOneModelCall() throws Exception {
    oneModelCallForAllCallers(memory());
  }

  @Test
  void identicalMissesOverRedisMakeOneModelCall() throws Exception {
    redis = RedisServerProcess.start();
    redisCache =
        new RedisResponseCache(
            // a timeout a busy machine does not reach: a slow command would count as a miss and
            // make the last call ask the model a second time
            CacheConfig.from(
                Settings.of(Map.of("cache.redis.uri", redis.uri(), "cache.redis.timeout", "10s"))),
            metrics);
    oneModelCallForAllCallers(redisCache);
  }

  private void oneModelCallForAllCallers(ResponseCache cache) throws Exception {
    CachingLlmClient client = new CachingLlmClient(model, cache, metrics, false);

    List<Future<LlmResponse>> answers = startCallers(client);
    awaitWaiting(client, CALLERS - 1);
    model.release.countDown();

    for (Future<LlmResponse> answer : answers) {
      assertThat(answer.get(30, TimeUnit.SECONDS).text()).isEqualTo("answer 1");
    }
    assertThat(model.calls).hasValue(1);
    assertThat(coalesced(cache.type())).isEqualTo(CALLERS - 1);
    // the next identical request is a plain hit
    assertThat(client.generate(REQUEST).text()).isEqualTo("answer 1");
    assertThat(model.calls).hasValue(1);
  }

  @Test
  void whenTheFirstCallFailsEachWaiterAsksTheModelItself() throws Exception {
    CachingLlmClient client = new CachingLlmClient(model, memory(), metrics, false);
    model.failFirst = true;

    List<Future<LlmResponse>> answers = startCallers(client);
    awaitWaiting(client, CALLERS - 1);
    model.release.countDown();

    int failed = 0;
    List<String> texts = new ArrayList<>();
    for (Future<LlmResponse> answer : answers) {
      try {
        texts.add(answer.get(30, TimeUnit.SECONDS).text());
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(LlmConnectionException.class);
        failed++;
      }
    }
    // only the first caller gets the failure; each waiter made a call of its own
    assertThat(failed).isEqualTo(1);
    assertThat(texts).hasSize(CALLERS - 1);
    assertThat(model.calls).hasValue(CALLERS);
    // nobody was answered by another's call
    assertThat(coalesced("memory")).isZero();
  }

  @Test
  void differentKeysAreNotCoalesced() throws Exception {
    CachingLlmClient client = new CachingLlmClient(model, memory(), metrics, false);
    model.release.countDown();

    client.generate(REQUEST);
    client.generate(
        GenerateRequest.builder("qwen2.5:0.5b", "3+3?").options(REQUEST.options()).build());

    assertThat(model.calls).hasValue(2);
    assertThat(coalesced("memory")).isZero();
  }

  private List<Future<LlmResponse>> startCallers(CachingLlmClient client) {
    List<Future<LlmResponse>> answers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      answers.add(pool.submit(() -> client.generate(REQUEST)));
    }
    return answers;
  }

  private CaffeineResponseCache memory() {
    return new CaffeineResponseCache(CacheConfig.from(Settings.of(Map.of())), metrics, () -> 0L);
  }

  private static void awaitWaiting(CachingLlmClient client, int expected)
      throws InterruptedException {
    if (!client.awaitWaitingCallers(expected, Duration.ofSeconds(30))) {
      throw new AssertionError("only " + client.waitingCallers() + " callers joined");
    }
  }

  private long coalesced(String cacheType) {
    return registry.scrape(name -> name.equals("tinyllm_cache_coalesced")).stream()
        .map(CounterSnapshot.class::cast)
        .flatMap(s -> s.getDataPoints().stream())
        .filter(p -> cacheType.equals(p.getLabels().get("cache_type")))
        .mapToLong(p -> (long) p.getValue())
        .sum();
  }

  /** Counts its calls; every call waits for {@link #release}; the first may fail. */
  private static final class HeldModel extends FakeLlmClient {
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean failFirst;

    @Override
    public LlmResponse generate(GenerateRequest request) {
      int call = calls.incrementAndGet();
      try {
        if (!release.await(30, TimeUnit.SECONDS)) {
          throw new AssertionError("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      if (failFirst && call == 1) {
        throw new LlmConnectionException("connection refused");
      }
      return answer(request.model(), "answer " + call);
    }
  }
}
