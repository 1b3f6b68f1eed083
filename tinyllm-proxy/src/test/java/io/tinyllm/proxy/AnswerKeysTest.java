package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.config.Settings;
import io.tinyllm.cache.CacheMetrics;
import io.tinyllm.cache.RedisCacheConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which calls the proxy's cache takes, under which key; how answers are kept and expire. */
class AnswerKeysTest {
  private static final String BASE =
      "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Hi\",\"options\":{\"temperature\":0}}";

  @Test
  void theSameCallWrittenAnotherWayHasTheSameKey() {
    String key = key(LlmEndpoint.GENERATE, BASE);

    assertThat(key).hasSize(64);
    assertThat(
            key(
                LlmEndpoint.GENERATE,
                "{\"options\":{\"temperature\":0.0},\"prompt\":\"Hi\","
                    + "\"model\":\"qwen2.5:0.5b\",\"stream\":true,\"keep_alive\":\"10m\"}"))
        .isEqualTo(key);
    assertThat(
            key(
                LlmEndpoint.GENERATE,
                "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Hi\",\"options\":{\"temperature\":0e3}}"))
        .isEqualTo(key);
    assertThat(
            key(
                LlmEndpoint.GENERATE,
                "{\"model\":\"llama3\",\"prompt\":\"Hi\",\"options\":{\"temperature\":0}}"))
        .isEqualTo(
            key(
                LlmEndpoint.GENERATE,
                "{\"model\":\"llama3:latest\",\"prompt\":\"Hi\",\"options\":{\"temperature\":0}}"));
  }

  @Test
  void whatChangesTheAnswerChangesTheKey() {
    String key = key(LlmEndpoint.GENERATE, BASE);

    assertThat(key(LlmEndpoint.GENERATE, BASE.replace("\"Hi\"", "\"Hi!\""))).isNotEqualTo(key);
    assertThat(key(LlmEndpoint.GENERATE, BASE.replace("0.5b", "1.5b"))).isNotEqualTo(key);
    assertThat(key(LlmEndpoint.GENERATE, BASE.replace("}}", ",\"num_ctx\":4096}}")))
        .isNotEqualTo(key);
    assertThat(key(LlmEndpoint.GENERATE, BASE.replace("}}", "},\"stream\":false}")))
        .as("a whole answer is not a stream")
        .isNotEqualTo(key);
    assertThat(key(LlmEndpoint.CHAT, BASE)).as("another endpoint").isNotEqualTo(key);
    assertThat(decide(LlmEndpoint.GENERATE, BASE, "Bearer a").key())
        .as("another caller's credentials")
        .isNotEqualTo(key)
        .isNotEqualTo(decide(LlmEndpoint.GENERATE, BASE, "Bearer b").key());
  }

  @Test
  void onlyDeterministicGeneratingCallsAreTaken() {
    assertThat(
            decide(LlmEndpoint.GENERATE, "{\"model\":\"m\",\"options\":{\"seed\":0}}", null).key())
        .isNotNull();
    assertThat(decide(LlmEndpoint.OPENAI_CHAT, "{\"model\":\"m\",\"seed\":3}", null).key())
        .isNotNull();
    assertThat(decide(LlmEndpoint.OPENAI_CHAT, "{\"model\":\"m\",\"temperature\":0}", null).key())
        .isNotNull();
    assertThat(decide(LlmEndpoint.GENERATE, "{\"model\":\"m\"}", null))
        .isEqualTo(AnswerKeys.Decision.skip("nondeterministic"));
    assertThat(decide(LlmEndpoint.GENERATE, "{\"model\":\"m\",\"options\":{\"seed\":-1}}", null))
        .isEqualTo(AnswerKeys.Decision.skip("nondeterministic"));
    assertThat(
            decide(LlmEndpoint.CHAT, "{\"model\":\"m\",\"options\":{\"temperature\":\"0\"}}", null))
        .isEqualTo(AnswerKeys.Decision.skip("nondeterministic"));
    assertThat(decide(LlmEndpoint.OPENAI_COMPLETION, "{\"model\":\"m\",\"temperature\":0.2}", null))
        .isEqualTo(AnswerKeys.Decision.skip("nondeterministic"));
    // embeddings pass through; a body that is not JSON is Ollama's to refuse
    assertThat(decide(LlmEndpoint.EMBED, "{\"model\":\"m\",\"options\":{\"seed\":1}}", null))
        .isNull();
    assertThat(decide(LlmEndpoint.GENERATE, "not json", null)).isNull();
    String large =
        "{\"model\":\"m\",\"options\":{\"seed\":1},\"prompt\":\""
            + "x".repeat(RequestPeek.LIMIT)
            + "\"}";
    assertThat(decide(LlmEndpoint.GENERATE, large, null))
        .isEqualTo(AnswerKeys.Decision.skip("too_large"));
  }

  @Test
  void aHugeExponentStaysShort() {
    String key = key(LlmEndpoint.GENERATE, BASE.replace("}}", ",\"top_p\":1e999999999}}"));
    assertThat(key).hasSize(64);
  }

  @Test
  void aStoredAnswerSurvivesEncodingAndDamageIsRefused() {
    CachedAnswer answer =
        new CachedAnswer(
            "text/event-stream",
            CachedAnswer.Framing.SSE,
            "data: {}\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));

    CachedAnswer back = CachedAnswer.decode(answer.encode());

    assertThat(back.contentType()).isEqualTo("text/event-stream");
    assertThat(back.framing()).isEqualTo(CachedAnswer.Framing.SSE);
    assertThat(back.body()).isEqualTo(answer.body());
    assertThat(CachedAnswer.Framing.of("application/x-ndjson"))
        .isEqualTo(CachedAnswer.Framing.NDJSON);
    assertThat(CachedAnswer.Framing.of("application/json; charset=utf-8"))
        .isEqualTo(CachedAnswer.Framing.WHOLE);
    byte[] damaged = answer.encode();
    damaged[3] = 100; // a content type longer than what follows
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CachedAnswer.decode(java.util.Arrays.copyOf(damaged, 10)))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CachedAnswer.decode("hello".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sseEventsAndNdjsonLinesAreThePiecesOfAReplay() {
    byte[] sse = "data: a\n\ndata: b\r\n\r\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
    assertThat(CacheLookup.pieceEnd(sse, 0, CachedAnswer.Framing.SSE)).isEqualTo(9);
    assertThat(CacheLookup.pieceEnd(sse, 9, CachedAnswer.Framing.SSE)).isEqualTo(20);
    assertThat(CacheLookup.pieceEnd(sse, 20, CachedAnswer.Framing.SSE)).isEqualTo(sse.length);
    byte[] ndjson = "{}\n{\"a\":1}\n".getBytes(StandardCharsets.UTF_8);
    assertThat(CacheLookup.pieceEnd(ndjson, 0, CachedAnswer.Framing.NDJSON)).isEqualTo(3);
    assertThat(CacheLookup.pieceEnd(ndjson, 3, CachedAnswer.Framing.NDJSON)).isEqualTo(11);
  }

  @Test
  void memoryEntriesExpireAfterTheTtl() {
    AtomicLong now = new AtomicLong();
    CacheMetrics metrics = new CacheMetrics();
    ProxyCacheConfig config =
        ProxyCacheConfig.from(
            Settings.of(Map.of("proxy.cache.enabled", "true", "proxy.cache.ttl", "10s")));
    try (ProxyCache cache =
        new ProxyCache(config, RedisCacheConfig.from(Settings.empty()), metrics, now::get)) {
      CacheLookup miss = lookup(cache, BASE);
      miss.recording(200, "application/json").finish(true);
      assertThat(lookup(cache, BASE).hit()).isTrue();

      now.addAndGet(Duration.ofSeconds(10).toNanos());

      assertThat(lookup(cache, BASE).hit()).isFalse();
    }
  }

  @Test
  void theMemoryStoreKeepsItsByteBound() {
    CacheMetrics metrics = new CacheMetrics();
    ProxyCacheConfig config = new ProxyCacheConfig(true, "memory", Duration.ZERO, 1000, 4096, 4096);
    MemoryAnswerStore store = new MemoryAnswerStore(config, metrics, System::nanoTime);
    for (int i = 0; i < 10; i++) {
      store.put(
          "k" + i,
          new CachedAnswer("application/json", CachedAnswer.Framing.WHOLE, new byte[1500]));
    }
    // 1500 bytes each (and the content type's): two fit in 4096, a third does not
    assertThat(store.size()).isEqualTo(2);
  }

  private static CacheLookup lookup(ProxyCache cache, String body) {
    return cache.lookup(LlmEndpoint.GENERATE, peek(body), null);
  }

  private static String key(LlmEndpoint endpoint, String body) {
    return decide(endpoint, body, null).key();
  }

  private static AnswerKeys.Decision decide(LlmEndpoint endpoint, String body, String auth) {
    return AnswerKeys.of(endpoint, peek(body), auth);
  }

  private static RequestPeek peek(String body) {
    try {
      return RequestPeek.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
