package io.tinyllm.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ServerErrorException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.api.llm.ToolCall;
import io.tinyllm.metrics.testing.Exposition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachingLlmClientTest {
  private static final GenerationOptions GREEDY =
      GenerationOptions.builder().temperature(0.0).build();
  private static final GenerateRequest REQUEST =
      GenerateRequest.builder("qwen2.5:0.5b", "2+2?").options(GREEDY).build();

  private final AtomicLong nanos = new AtomicLong();
  private final CacheMetrics metrics = new CacheMetrics();
  private final PrometheusRegistry registry = TestRegistries.with(metrics);
  private final FakeLlmClient model = new FakeLlmClient();

  private CachingLlmClient client(Map<String, String> settings) {
    CacheConfig config = CacheConfig.from(Settings.of(settings));
    CaffeineResponseCache cache = new CaffeineResponseCache(config, metrics, nanos::get);
    return new CachingLlmClient(model, cache, metrics, config.cacheNondeterministic());
  }

  private CachingLlmClient client() {
    return client(Map.of());
  }

  @Test
  void secondIdenticalRequestIsServedFromTheCache() {
    CachingLlmClient client = client();

    LlmResponse first = client.generate(REQUEST);
    LlmResponse second = client.generate(REQUEST);

    assertThat(first.text()).isEqualTo("answer 1 to 2+2?");
    assertThat(first.cached()).isFalse();
    assertThat(second).isEqualTo(first.fromCache());
    assertThat(second.cached()).isTrue();
    assertThat(model.calls).hasValue(1);
    // the fake ticker stands still, so every lookup took 0 s
    assertThat(Exposition.text(registry, TestRegistries.FAMILIES))
        .isEqualTo(
            """
            # HELP tinyllm_cache_entries Entries currently held, for backends that can tell cheaply
            # TYPE tinyllm_cache_entries gauge
            tinyllm_cache_entries{cache_type="memory"} 1.0
            # HELP tinyllm_cache_evictions_total Entries the cache evicted, by cause (size, expired, collected)
            # TYPE tinyllm_cache_evictions_total counter
            tinyllm_cache_evictions_total{cache_type="memory",cause="expired"} 0.0
            tinyllm_cache_evictions_total{cache_type="memory",cause="size"} 0.0
            # HELP tinyllm_cache_hits_total Cache lookups that found a stored response
            # TYPE tinyllm_cache_hits_total counter
            tinyllm_cache_hits_total{cache_type="memory"} 1.0
            # HELP tinyllm_cache_lookup_duration_seconds Time a cache lookup took, hit, miss or failure
            # TYPE tinyllm_cache_lookup_duration_seconds histogram
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="1.0E-4"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="2.5E-4"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="5.0E-4"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="0.001"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="0.0025"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="0.005"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="0.01"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="0.025"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="0.05"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="0.1"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="0.25"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="0.5"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="1.0"} 2
            tinyllm_cache_lookup_duration_seconds_bucket{cache_type="memory",le="+Inf"} 2
            tinyllm_cache_lookup_duration_seconds_count{cache_type="memory"} 2
            tinyllm_cache_lookup_duration_seconds_sum{cache_type="memory"} 0.0
            # HELP tinyllm_cache_misses_total Cache lookups that found nothing, including lookups that failed
            # TYPE tinyllm_cache_misses_total counter
            tinyllm_cache_misses_total{cache_type="memory"} 1.0
            # HELP tinyllm_cache_stores_total Responses written to the cache
            # TYPE tinyllm_cache_stores_total counter
            tinyllm_cache_stores_total{cache_type="memory"} 1.0
            """);
  }

  @Test
  void chatIsCachedByItsMessagesAndNotConfusedWithGenerate() {
    CachingLlmClient client = client();
    ChatRequest chat =
        new ChatRequest(
            "qwen2.5:0.5b",
            List.of(ChatMessage.system("Be brief."), ChatMessage.user("2+2?")),
            GREEDY,
            null,
            null,
            null);

    client.chat(chat);
    client.chat(chat);
    client.generate(REQUEST);
    client.chat(chat.withOptions(GREEDY.toBuilder().numPredict(5).build()));

    assertThat(model.calls).hasValue(3);
    assertThat(counters()).containsExactly("hits=1.0", "misses=3.0", "stores=3.0");
  }

  @Test
  void entriesExpireAfterTheTtl() {
    CachingLlmClient client = client(Map.of("cache.ttl", "10s"));

    client.generate(REQUEST);
    nanos.addAndGet(Duration.ofSeconds(9).toNanos());
    LlmResponse fresh = client.generate(REQUEST);
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    LlmResponse expired = client.generate(REQUEST);

    assertThat(fresh.text()).isEqualTo("answer 1 to 2+2?");
    assertThat(expired.text()).isEqualTo("answer 2 to 2+2?");
    assertThat(model.calls).hasValue(2);
    assertThat(counters()).containsExactly("hits=1.0", "misses=2.0", "stores=2.0");
    assertThat(Exposition.recorded(registry, "tinyllm_cache_evictions"))
        .endsWith("tinyllm_cache_evictions_total{cache_type=\"memory\",cause=\"expired\"} 1.0\n");
  }

  @Test
  void theLeastUsefulEntryIsEvictedBeyondMaxEntriesAndCounted() {
    CachingLlmClient client = client(Map.of("cache.max-entries", "2"));

    for (int i = 0; i < 5; i++) {
      client.generate(GenerateRequest.builder("m", "prompt " + i).options(GREEDY).build());
    }

    assertThat(client.cache().size()).isEqualTo(2);
    assertThat(Exposition.recorded(registry, "tinyllm_cache_evictions", "tinyllm_cache_entries"))
        .isEqualTo(
            """
            # HELP tinyllm_cache_entries Entries currently held, for backends that can tell cheaply
            # TYPE tinyllm_cache_entries gauge
            tinyllm_cache_entries{cache_type="memory"} 2.0
            # HELP tinyllm_cache_evictions_total Entries the cache evicted, by cause (size, expired, collected)
            # TYPE tinyllm_cache_evictions_total counter
            tinyllm_cache_evictions_total{cache_type="memory",cause="size"} 3.0
            """);
  }

  @Test
  void bypassAsksTheModelAndLeavesTheCacheAlone() {
    CachingLlmClient client = client();
    client.generate(REQUEST);

    LlmResponse bypassed;
    try (CacheScope scope = CacheScope.open(CachePolicy.BYPASS)) {
      bypassed = client.generate(REQUEST);
      client.generate(GenerateRequest.builder("m", "other").options(GREEDY).build());
    }
    LlmResponse after = client.generate(REQUEST);

    assertThat(bypassed.text()).isEqualTo("answer 2 to 2+2?");
    // still the first answer: the bypassed call did not overwrite it
    assertThat(after.text()).isEqualTo("answer 1 to 2+2?");
    assertThat(client.cache().size()).isEqualTo(1);
    assertThat(counters())
        .containsExactly("hits=1.0", "misses=1.0", "skips{bypass}=2.0", "stores=1.0");
  }

  @Test
  void refreshAsksTheModelAndReplacesTheStoredAnswer() {
    CachingLlmClient client = client();
    client.generate(REQUEST);

    LlmResponse refreshed;
    try (CacheScope scope = CacheScope.open(CachePolicy.REFRESH)) {
      refreshed = client.generate(REQUEST);
    }
    LlmResponse after = client.generate(REQUEST);

    assertThat(refreshed.text()).isEqualTo("answer 2 to 2+2?");
    assertThat(after.text()).isEqualTo("answer 2 to 2+2?");
    assertThat(model.calls).hasValue(2);
    assertThat(counters())
        .containsExactly("hits=1.0", "misses=1.0", "skips{refresh}=1.0", "stores=2.0");
  }

  @Test
  void scopesNestAndRestoreThePreviousPolicy() {
    assertThat(CacheScope.current()).isEqualTo(CachePolicy.USE);
    try (CacheScope outer = CacheScope.open(CachePolicy.BYPASS)) {
      try (CacheScope inner = CacheScope.open(CachePolicy.REFRESH)) {
        assertThat(CacheScope.current()).isEqualTo(CachePolicy.REFRESH);
      }
      assertThat(CacheScope.current()).isEqualTo(CachePolicy.BYPASS);
    }
    assertThat(CacheScope.current()).isEqualTo(CachePolicy.USE);
  }

  @Test
  void nonDeterministicRequestsAreNotCachedByDefault() {
    CachingLlmClient client = client();
    GenerateRequest sampled =
        GenerateRequest.builder("m", "a poem")
            .options(GenerationOptions.builder().temperature(0.8).build())
            .build();
    GenerateRequest serverDefault = GenerateRequest.builder("m", "a poem").build();
    GenerateRequest seeded =
        GenerateRequest.builder("m", "a poem")
            .options(GenerationOptions.builder().temperature(0.8).seed(42).build())
            .build();

    client.generate(sampled);
    client.generate(sampled);
    client.generate(serverDefault);
    client.generate(seeded);
    client.generate(seeded);

    assertThat(model.calls).hasValue(4);
    assertThat(counters())
        .containsExactly("hits=1.0", "misses=1.0", "skips{nondeterministic}=3.0", "stores=1.0");
  }

  @Test
  void nonDeterministicRequestsAreCachedWhenConfigured() {
    CachingLlmClient client = client(Map.of("cache.cache-nondeterministic", "true"));
    GenerateRequest sampled =
        GenerateRequest.builder("m", "a poem")
            .options(GenerationOptions.builder().temperature(0.8).build())
            .build();

    client.generate(sampled);
    client.generate(sampled);

    assertThat(model.calls).hasValue(1);
    assertThat(counters()).containsExactly("hits=1.0", "misses=1.0", "stores=1.0");
  }

  @Test
  void aStreamedMissIsStoredAndAHitIsReplayedAsAStream() {
    CachingLlmClient client = client();
    RecordingListener live = new RecordingListener();
    RecordingListener replayed = new RecordingListener();

    StreamHandle first = client.generateStream(REQUEST, live);
    StreamHandle second = client.generateStream(REQUEST, replayed);

    assertThat(model.calls).hasValue(1);
    assertThat(live.events)
        .containsExactly(
            "token:answer ", "token:1 ", "token:to ", "token:2+2?", "complete:answer 1 to 2+2?");
    assertThat(replayed.events).isEqualTo(live.events);
    assertThat(first.completion().join().text()).isEqualTo("answer 1 to 2+2?");
    assertThat(second.completion().join()).isEqualTo(first.completion().join().fromCache());
    // a streamed answer serves a later plain call too
    assertThat(client.generate(REQUEST).text()).isEqualTo("answer 1 to 2+2?");
    assertThat(counters()).containsExactly("hits=2.0", "misses=1.0", "stores=1.0");
  }

  @Test
  void aReplayedHitStreamsTheThinkingFirst() {
    RecordingListener listener = new RecordingListener();
    LlmResponse thought =
        new LlmResponse("m", "4", "2 and 2", "stop", 1, 1, null, null, null, null);

    ReplayedStream.replay(thought, listener);

    assertThat(listener.events).containsExactly("thinking:2 and 2", "token:4", "complete:4");
    assertThat(ReplayedStream.pieces("")).isEmpty();
    assertThat(String.join("", ReplayedStream.pieces("  a\n\nb  c "))).isEqualTo("  a\n\nb  c ");
  }

  @Test
  void aReplayedHitDeliversToolCallsAndLogprobsBeforeCompleting() {
    List<Object> events = new ArrayList<>();
    LlmResponse answer = ResponseCodecTest.toolAnswer();

    ReplayedStream.replay(
        answer,
        new StreamListener() {
          @Override
          public void onToken(String token) {
            events.add("token:" + token);
          }

          @Override
          public void onToolCalls(List<ToolCall> toolCalls) {
            events.add(toolCalls);
          }

          @Override
          public void onLogprobs(List<Logprob> logprobs) {
            events.add(logprobs);
          }

          @Override
          public void onComplete(LlmResponse response) {
            events.add(response);
          }
        });

    assertThat(events).containsExactly(answer.toolCalls(), answer.logprobs(), answer);
  }

  @Test
  void chatStreamsAreCachedToo() {
    CachingLlmClient client = client();
    ChatRequest chat =
        new ChatRequest("m", List.of(ChatMessage.user("hi")), GREEDY, null, null, null);

    client.chatStream(chat, new RecordingListener());
    RecordingListener replayed = new RecordingListener();
    client.chatStream(chat, replayed);

    assertThat(model.calls).hasValue(1);
    assertThat(replayed.events)
        .containsExactly(
            "token:answer ", "token:1 ", "token:to ", "token:hi", "complete:answer 1 to hi");
  }

  @Test
  void aFailedStreamStoresNothing() {
    CachingLlmClient client = client();
    model.streamMode = FakeLlmClient.StreamMode.FAIL;
    RecordingListener listener = new RecordingListener();

    StreamHandle handle = client.generateStream(REQUEST, listener);

    assertThat(listener.events).last().isEqualTo("error:stream_error");
    assertThatThrownBy(() -> handle.completion().join())
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("connection reset mid-stream");
    assertThat(client.cache().size()).isZero();
    assertThat(counters()).containsExactly("misses=1.0");
  }

  @Test
  void aCancelledStreamStoresNothing() {
    CachingLlmClient client = client();
    model.streamMode = FakeLlmClient.StreamMode.HANG;
    RecordingListener listener = new RecordingListener();

    StreamHandle handle = client.generateStream(REQUEST, listener);
    assertThat(handle.completion()).isNotDone();
    handle.cancel();

    assertThat(listener.events).last().isEqualTo("error:cancelled");
    assertThat(handle.completion()).isCompletedExceptionally();
    assertThat(client.cache().size()).isZero();
    model.streamMode = FakeLlmClient.StreamMode.COMPLETE;
    assertThat(client.generate(REQUEST).text()).isEqualTo("answer 2 to 2+2?");
  }

  @Test
  void aFailedCallStoresNothingAndTheErrorReachesTheCaller() {
    CachingLlmClient client =
        new CachingLlmClient(
            new FakeLlmClient() {
              @Override
              public LlmResponse generate(GenerateRequest request) {
                throw new ServerErrorException("model crashed");
              }
            },
            new CaffeineResponseCache(CacheConfig.defaults(), metrics, nanos::get),
            metrics,
            false);

    assertThatThrownBy(() -> client.generate(REQUEST)).hasMessageContaining("model crashed");
    assertThat(client.cache().size()).isZero();
  }

  @Test
  void loadOnlyAnswersAreNotStored() {
    CachingLlmClient client =
        new CachingLlmClient(
            new FakeLlmClient() {
              @Override
              public LlmResponse generate(GenerateRequest request) {
                calls.incrementAndGet();
                return new LlmResponse("m", "", null, "load", 0, 0, null, null, null, null);
              }
            },
            new CaffeineResponseCache(CacheConfig.defaults(), metrics, nanos::get),
            metrics,
            false);

    client.generate(REQUEST);

    assertThat(client.cache().size()).isZero();
  }

  @Test
  void embeddingsPassThroughUncached() {
    CachingLlmClient client = client();

    client.embed(EmbedRequest.of("nomic-embed-text", List.of("a")));
    client.embed(EmbedRequest.of("nomic-embed-text", List.of("a")));

    assertThat(model.embedCalls).hasValue(2);
    assertThat(counters()).isEmpty();
  }

  /**
   * The counter series that recorded something, in name order, as {@code hits=1.0} or {@code
   * skips{reason}=1.0}.
   */
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
                    .replaceAll("\\{cache_type=\"\\w+\"}", "")
                    .replaceAll("\\{cache_type=\"\\w+\",(?:reason|operation)=\"(\\w+)\"}", "{$1}")
                    .replace(' ', '='))
        .toList();
  }
}
