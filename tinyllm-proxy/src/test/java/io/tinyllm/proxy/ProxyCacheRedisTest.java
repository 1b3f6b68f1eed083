package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.metrics.testing.RedisServerProcess;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replicas sharing one Redis: what one proxy stored, another serves, byte for byte. A real {@code
 * redis-server} (skipped without it, failed instead under {@code -Dtinyllm.require-external=true}).
 */
class ProxyCacheRedisTest {
  private static final String CHAT =
      "{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
          + "\"options\":{\"temperature\":0}}";

  private RedisServerProcess redis;

  @AfterEach
  void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  private Map<String, String> settings() {
    // a timeout that a machine busy with other builds does not reach: these tests count hits
    return Map.of(
        "proxy.cache.enabled", "true",
        "proxy.cache.backend", "redis",
        "cache.redis.uri", redis.uri(),
        "cache.redis.key-prefix", "test:",
        "cache.redis.timeout", "5s");
  }

  @Test
  void twoProxiesShareTheAnswersOfOneRedis() throws Exception {
    redis = RedisServerProcess.start();
    try (CannedUpstream upstream =
            new CannedUpstream(e -> Canned.stream(e, "application/x-ndjson", Canned.CHAT_STREAM));
        ProxyFixture a = ProxyFixture.upstream(upstream.uri(), settings());
        ProxyFixture b = ProxyFixture.upstream(upstream.uri(), settings())) {
      HttpResponse<byte[]> first = a.post(a.uri("/api/chat"), CHAT);
      HttpResponse<byte[]> second = b.post(b.uri("/api/chat"), CHAT);
      HttpResponse<byte[]> third = a.post(a.uri("/api/chat"), CHAT);

      assertThat(upstream.arrivals()).isEqualTo(1);
      assertThat(first.body()).isEqualTo(Canned.joined(Canned.CHAT_STREAM));
      assertThat(second.body()).isEqualTo(first.body());
      assertThat(third.body()).isEqualTo(first.body());
      assertThat(second.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
      assertThat(ProxyCacheTest.cacheCounts(a, "proxy_redis"))
          .isEqualTo("hits=1 misses=1 stores=1");
      assertThat(ProxyCacheTest.cacheCounts(b, "proxy_redis"))
          .isEqualTo("hits=1 misses=0 stores=0");
      // under the configured prefix, apart from the Java client's entries, with the default TTL
      String key = "test:" + RedisAnswerStore.NAMESPACE + key(CHAT);
      assertThat(redis.command("EXISTS", key)).isEqualTo(":1");
      assertThat(redis.command("PTTL", key)).matches(":3[0-9]{6}"); // about an hour, in ms
    }
  }

  @Test
  void anUnreadableEntryIsAMissAndTheNextAnswerReplacesIt() throws Exception {
    redis = RedisServerProcess.start();
    try (CannedUpstream upstream =
            new CannedUpstream(e -> Canned.stream(e, "application/x-ndjson", Canned.CHAT_STREAM));
        ProxyFixture f = ProxyFixture.upstream(upstream.uri(), settings())) {
      redis.setRaw(
          "test:" + RedisAnswerStore.NAMESPACE + key(CHAT),
          "not an answer".getBytes(StandardCharsets.UTF_8));

      HttpResponse<byte[]> first = f.post(f.uri("/api/chat"), CHAT);
      HttpResponse<byte[]> second = f.post(f.uri("/api/chat"), CHAT);

      assertThat(first.body()).isEqualTo(Canned.joined(Canned.CHAT_STREAM));
      assertThat(second.body()).isEqualTo(first.body());
      assertThat(upstream.arrivals()).isEqualTo(1);
      assertThat(ProxyCacheTest.cacheCounts(f, "proxy_redis"))
          .isEqualTo("hits=1 misses=1 stores=1");
      assertThat(f.samples("tinyllm_cache_errors_total"))
          .isEqualTo(
              "tinyllm_cache_errors_total{cache_type=\"proxy_redis\",operation=\"decode\"} 1.0\n");
    }
  }

  @Test
  void aRedisThatIsDownCostsOnlyMisses() throws Exception {
    redis = RedisServerProcess.start();
    redis.stop();
    try (CannedUpstream upstream =
            new CannedUpstream(e -> Canned.stream(e, "application/x-ndjson", Canned.CHAT_STREAM));
        ProxyFixture f = ProxyFixture.upstream(upstream.uri(), settings())) {
      HttpResponse<byte[]> first = f.post(f.uri("/api/chat"), CHAT);
      HttpResponse<byte[]> second = f.post(f.uri("/api/chat"), CHAT);

      assertThat(first.body()).isEqualTo(Canned.joined(Canned.CHAT_STREAM));
      assertThat(second.body()).isEqualTo(first.body());
      assertThat(upstream.arrivals()).isEqualTo(2);
      assertThat(ProxyCacheTest.cacheCounts(f, "proxy_redis"))
          .isEqualTo("hits=0 misses=2 stores=0");
      assertThat(f.samples("tinyllm_cache_errors_total"))
          .contains("cache_type=\"proxy_redis\",operation=\"get\"} 2.0")
          .contains("cache_type=\"proxy_redis\",operation=\"put\"} 2.0");
    }
  }

  private static String key(String body) throws IOException {
    RequestPeek peek =
        RequestPeek.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    return AnswerKeys.of(LlmEndpoint.CHAT, peek, null).key();
  }
}
