package io.tinyllm.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.metrics.testing.Exposition;
import io.tinyllm.metrics.testing.RedisServerProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisResponseCacheTest {
  private static final GenerateRequest REQUEST =
      GenerateRequest.builder("qwen2.5:0.5b", "2+2?")
          .options(GenerationOptions.builder().temperature(0.0).build())
          .build();

  private final CacheMetrics metrics = new CacheMetrics();
  private final PrometheusRegistry registry = TestRegistries.with(metrics);
  private final FakeLlmClient model = new FakeLlmClient();
  private RedisServerProcess redis;
  private RedisResponseCache cache;

  @AfterEach
  void stop() {
    if (cache != null) {
      cache.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private CachingLlmClient client(Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>();
    settings.put("cache.redis.uri", redis.uri());
    settings.put("cache.redis.key-prefix", "test:");
    settings.put("cache.redis.reconnect-delay", "100ms");
    // the first connect of a cold JVM on a loaded machine can take longer than the 250 ms default,
    // and would count an error the test did not cause; tests of timeouts set their own
    settings.put("cache.redis.timeout", "10s");
    settings.putAll(extra);
    CacheConfig config = CacheConfig.from(Settings.of(settings));
    cache = new RedisResponseCache(config, metrics);
    return new CachingLlmClient(model, cache, metrics, config.cacheNondeterministic());
  }

  @Test
  void storesInRedisAndServesHitsAcrossClients() throws Exception {
    redis = RedisServerProcess.start();
    CachingLlmClient client = client(Map.of());

    LlmResponse first = client.generate(REQUEST);
    LlmResponse second = client.generate(REQUEST);
    // another process sharing the server sees the entry
    CacheConfig sameServer =
        CacheConfig.from(
            Settings.of(Map.of("cache.redis.uri", redis.uri(), "cache.redis.key-prefix", "test:")));
    try (RedisResponseCache replica = new RedisResponseCache(sameServer, new CacheMetrics())) {
      assertThat(replica.get(CacheKeys.of(REQUEST))).contains(first);
    }

    assertThat(second).isEqualTo(first.fromCache());
    assertThat(model.calls).hasValue(1);
    assertThat(redis.command("EXISTS", "test:" + CacheKeys.of(REQUEST))).isEqualTo(":1");
    assertThat(redis.command("PTTL", "test:" + CacheKeys.of(REQUEST)))
        .matches(":3[0-9]{6}"); // about an hour, the default TTL, in milliseconds
    assertThat(counters()).containsExactly("hits=1.0", "misses=1.0", "stores=1.0");
    assertThat(lookups()).isEqualTo(2);
    // Redis cannot tell its size cheaply, so the entries gauge has no series for it
    assertThat(Exposition.text(registry, "tinyllm_cache_entries")).doesNotContain("redis");
  }

  @Test
  void toolCallsAndLogprobsSurviveTheRoundTripThroughRedis() throws Exception {
    redis = RedisServerProcess.start();
    client(Map.of());
    LlmResponse answer = ResponseCodecTest.toolAnswer();

    cache.put("tools", answer);
    CacheConfig sameServer =
        CacheConfig.from(
            Settings.of(Map.of("cache.redis.uri", redis.uri(), "cache.redis.key-prefix", "test:")));
    try (RedisResponseCache replica = new RedisResponseCache(sameServer, new CacheMetrics())) {
      assertThat(replica.get("tools")).contains(answer);
    }
  }

  @Test
  void entriesExpireAfterAShortTtl() throws Exception {
    redis = RedisServerProcess.start();
    CachingLlmClient client = client(Map.of("cache.ttl", "300ms"));

    client.generate(REQUEST);
    // stored with the TTL: at most 300 ms left, or gone already (-2); never without one (-1). A
    // hit within the TTL would race the clock; storesInRedisAndServesHitsAcrossClients shows hits
    String ttl = redis.command("PTTL", "test:" + CacheKeys.of(REQUEST));
    awaitGone("test:" + CacheKeys.of(REQUEST));
    LlmResponse expired = client.generate(REQUEST);

    assertThat(ttl).matches(":-2|:[1-9][0-9]{0,2}");
    assertThat(Long.parseLong(ttl.substring(1))).isLessThanOrEqualTo(300);
    assertThat(expired.text()).isEqualTo("answer 2 to 2+2?");
    assertThat(counters()).containsExactly("misses=2.0", "stores=2.0");
  }

  @Test
  void bypassAndRefreshWorkAgainstRedis() {
    redis = RedisServerProcess.start();
    CachingLlmClient client = client(Map.of());

    client.generate(REQUEST);
    try (CacheScope scope = CacheScope.open(CachePolicy.BYPASS)) {
      assertThat(client.generate(REQUEST).text()).isEqualTo("answer 2 to 2+2?");
    }
    try (CacheScope scope = CacheScope.open(CachePolicy.REFRESH)) {
      assertThat(client.generate(REQUEST).text()).isEqualTo("answer 3 to 2+2?");
    }
    assertThat(client.generate(REQUEST).text()).isEqualTo("answer 3 to 2+2?");

    assertThat(counters())
        .containsExactly(
            "hits=1.0", "misses=1.0", "skips{bypass}=1.0", "skips{refresh}=1.0", "stores=2.0");
  }

  @Test
  void streamedHitsReplayFromRedis() {
    redis = RedisServerProcess.start();
    CachingLlmClient client = client(Map.of());
    RecordingListener live = new RecordingListener();
    RecordingListener replayed = new RecordingListener();

    client.generateStream(REQUEST, live);
    client.generateStream(REQUEST, replayed);

    assertThat(model.calls).hasValue(1);
    assertThat(replayed.events)
        .isEqualTo(live.events)
        .last()
        .isEqualTo("complete:answer 1 to 2+2?");
  }

  @Test
  void requestsSucceedWhileRedisIsDownAndTheCacheRecoversWhenItReturns() throws Exception {
    redis = RedisServerProcess.start();
    CachingLlmClient client = client(Map.of());
    client.generate(REQUEST);
    client.generate(REQUEST);
    assertThat(counters()).containsExactly("hits=1.0", "misses=1.0", "stores=1.0");

    redis.stop();
    LlmResponse duringOutage = client.generate(REQUEST);
    RecordingListener streamed = new RecordingListener();
    client.generateStream(REQUEST, streamed);

    assertThat(duringOutage.text()).isEqualTo("answer 2 to 2+2?");
    assertThat(streamed.events).last().isEqualTo("complete:answer 3 to 2+2?");
    assertThat(counters())
        .containsExactly(
            "errors{get}=2.0", "errors{put}=2.0", "hits=1.0", "misses=3.0", "stores=1.0");

    redis.restart();
    awaitConnected();
    LlmResponse afterMiss = client.generate(REQUEST);
    LlmResponse afterHit = client.generate(REQUEST);

    assertThat(afterMiss.text()).isEqualTo("answer 4 to 2+2?");
    assertThat(afterHit.text()).isEqualTo("answer 4 to 2+2?");
    assertThat(model.calls).hasValue(4);
    assertThat(counters())
        .containsExactly(
            "errors{get}=2.0", "errors{put}=2.0", "hits=2.0", "misses=4.0", "stores=2.0");
  }

  @Test
  void redisDownAtStartIsAMissNotAFailure() {
    redis = RedisServerProcess.start();
    redis.stop();
    CachingLlmClient client = client(Map.of());

    LlmResponse response = client.generate(REQUEST);

    assertThat(response.text()).isEqualTo("answer 1 to 2+2?");
    assertThat(cache.isConnected()).isFalse();
    assertThat(counters()).containsExactly("errors{get}=1.0", "errors{put}=1.0", "misses=1.0");

    redis.restart();
    // no connection was ever made, so only a call retries it (at most once per reconnect delay)
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!cache.isConnected() && System.nanoTime() < deadline) {
      cache.get("probe");
      sleep(50);
    }
    client.generate(REQUEST);
    assertThat(client.generate(REQUEST).text()).isEqualTo("answer 2 to 2+2?");
  }

  @Test
  void firstLookupsWaitForAFirstConnectSlowerThanFiveSeconds() throws Exception {
    redis = RedisServerProcess.start();
    // the handshake of the first connect waits out the pause (its timeout is longer), as a cold
    // JVM on a busy machine can take seconds to connect: a slow start, not an outage
    CachingLlmClient client = client(Map.of("cache.redis.timeout", "30s"));
    int callers = 4;
    ExecutorService threads = Executors.newFixedThreadPool(callers);
    try {
      List<Future<LlmResponse>> answers = new ArrayList<>();
      try (AutoCloseable paused = redis.pause(Duration.ofSeconds(6))) {
        for (int i = 0; i < callers; i++) {
          GenerateRequest request =
              GenerateRequest.builder("qwen2.5:0.5b", "first " + i)
                  .options(REQUEST.options())
                  .build();
          answers.add(threads.submit(() -> client.generate(request)));
        }
      }
      for (Future<LlmResponse> answer : answers) {
        assertThat(answer.get(30, TimeUnit.SECONDS).text()).startsWith("answer ");
      }
    } finally {
      threads.shutdownNow();
    }

    assertThat(counters()).containsExactly("misses=4.0", "stores=4.0");
  }

  @Test
  void aSlowRedisTimesOutAsAMissAndTheRequestGoesOn() throws Exception {
    redis = RedisServerProcess.start();
    CachingLlmClient client = client(Map.of("cache.redis.timeout", "200ms"));
    client.generate(REQUEST);

    LlmResponse response;
    // the server answers no command for 3 s, far past the 200 ms timeout
    try (AutoCloseable paused = redis.pause(Duration.ofSeconds(3))) {
      response = client.generate(REQUEST);
    }

    // the lookup gave up (a lookup that waited for the server would have found the entry)
    assertThat(response.text()).isEqualTo("answer 2 to 2+2?");
    assertThat(counters().get(0)).isEqualTo("errors{get}=1.0");
    assertThat(counters()).contains("misses=2.0");
    // the overwrite was either timed out or landed once the server woke: nothing else counts
    assertThat(counters()).containsAnyOf("errors{put}=1.0", "stores=2.0");
  }

  @Test
  void passwordProtectedRedisWorksWithThePasswordAndCountsErrorsWithoutIt() {
    redis = RedisServerProcess.start("s3cret");
    CachingLlmClient withPassword = client(Map.of("cache.redis.password", "s3cret"));
    withPassword.generate(REQUEST);
    withPassword.generate(REQUEST);
    assertThat(counters()).containsExactly("hits=1.0", "misses=1.0", "stores=1.0");
    cache.close();

    CachingLlmClient withoutPassword = client(Map.of());
    assertThat(withoutPassword.generate(REQUEST).text()).isEqualTo("answer 2 to 2+2?");
    assertThat(counters())
        .containsExactly(
            "errors{get}=1.0", "errors{put}=1.0", "hits=1.0", "misses=2.0", "stores=1.0");
  }

  @Test
  void anUnreadableEntryIsAMissAndIsReplaced() throws Exception {
    redis = RedisServerProcess.start();
    CachingLlmClient client = client(Map.of());
    redis.setRaw(
        "test:" + CacheKeys.of(REQUEST), "not a response".getBytes(StandardCharsets.UTF_8));

    assertThat(client.generate(REQUEST).text()).isEqualTo("answer 1 to 2+2?");
    assertThat(client.generate(REQUEST).text()).isEqualTo("answer 1 to 2+2?");
    assertThat(counters())
        .containsExactly("errors{decode}=1.0", "hits=1.0", "misses=1.0", "stores=1.0");
  }

  @Test
  void clearRemovesOnlyEntriesUnderThePrefix() throws Exception {
    redis = RedisServerProcess.start();
    CachingLlmClient client = client(Map.of());
    for (int i = 0; i < 3; i++) {
      client.generate(GenerateRequest.builder("m", "p" + i).options(REQUEST.options()).build());
    }
    redis.command("SET", "other:key", "kept");
    cache.invalidate(
        CacheKeys.of(GenerateRequest.builder("m", "p0").options(REQUEST.options()).build()));
    assertThat(redis.command("DBSIZE")).isEqualTo(":3");

    cache.clear();

    assertThat(redis.command("DBSIZE")).isEqualTo(":1");
    assertThat(redis.command("EXISTS", "other:key")).isEqualTo(":1");
  }

  private void awaitConnected() {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      // reconnects on its own after a drop; after a failed first connect, the next call retries
      if (cache.isConnected() && pingsThrough()) {
        return;
      }
      sleep(50);
    }
    throw new AssertionError("the cache did not reconnect to Redis");
  }

  /** Whether a lookup would reach Redis now; probes with a key the tests never use. */
  private boolean pingsThrough() {
    CacheMetrics probeMetrics = new CacheMetrics();
    try (RedisResponseCache probe =
        new RedisResponseCache(
            CacheConfig.from(Settings.of(Map.of("cache.redis.uri", redis.uri()))), probeMetrics)) {
      probe.get("probe");
      return Exposition.recorded(TestRegistries.with(probeMetrics), "tinyllm_cache_errors")
          .lines()
          .noneMatch(l -> l.startsWith("tinyllm_cache_errors_total{"));
    }
  }

  private void awaitGone(String key) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline) {
      if (redis.command("EXISTS", key).equals(":0")) {
        return;
      }
      sleep(50);
    }
    throw new AssertionError(key + " did not expire");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private long lookups() {
    return Exposition.text(registry, "tinyllm_cache_lookup_duration_seconds")
        .lines()
        .filter(
            l -> l.startsWith("tinyllm_cache_lookup_duration_seconds_count{cache_type=\"redis\"}"))
        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** The counter series that recorded something (zero series left out). */
  private List<String> counters() {
    return Exposition.recorded(
            registry,
            "tinyllm_cache_hits",
            "tinyllm_cache_misses",
            "tinyllm_cache_stores",
            "tinyllm_cache_skips",
            "tinyllm_cache_errors")
        .lines()
        .filter(line -> !line.startsWith("#"))
        .map(
            line ->
                line.replaceFirst("^tinyllm_cache_(\\w+)_total", "$1")
                    .replaceAll("\\{cache_type=\"redis\"}", "")
                    .replaceAll("\\{cache_type=\"redis\",(?:reason|operation)=\"(\\w+)\"}", "{$1}")
                    .replace(' ', '='))
        .toList();
  }
}
