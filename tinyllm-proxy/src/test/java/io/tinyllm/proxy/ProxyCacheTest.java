package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpHandler;
import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The proxy's response cache against an upstream of known bytes: what is served again, byte for
 * byte and piece by piece, and what never is; with exact counts in the cache and request families.
 */
class ProxyCacheTest {
  private static final Map<String, String> ON = Map.of("proxy.cache.enabled", "true");
  private static final String CHAT =
      "{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
          + "\"options\":{\"temperature\":0}}";
  private static final String GENERATE =
      "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Hi\",\"stream\":false,\"options\":{\"seed\":42}}";

  @Test
  void aRepeatedStreamIsAnsweredFromTheCacheByteForByteLineByLine() {
    try (CannedUpstream upstream =
            new CannedUpstream(e -> Canned.stream(e, "application/x-ndjson", Canned.CHAT_STREAM));
        ProxyFixture f = ProxyFixture.upstream(upstream.uri(), ON)) {
      HttpResponse<byte[]> first = f.post(f.uri("/api/chat"), CHAT);
      // the same call written another way: fields reordered, 0.0 for 0, an untagged model
      String same =
          "{\"options\":{\"temperature\":0.0},\"keep_alive\":\"5m\",\"stream\":true,"
              + "\"messages\":[{\"content\":\"Hi\",\"role\":\"user\"}],\"model\":\"qwen2.5:0.5b\"}";
      String chunked;
      try (RawHttp raw = new RawHttp(f.proxy.uri())) {
        chunked =
            raw.send(
                    "POST /api/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        + "Content-Type: application/json",
                    same)
                .readAll();
      }

      assertThat(upstream.arrivals()).isEqualTo(1);
      assertThat(first.body()).isEqualTo(Canned.joined(Canned.CHAT_STREAM));
      assertThat(first.headers().firstValue("Cache-Status")).isEmpty();
      assertThat(chunked)
          .contains("Content-Type: application/x-ndjson")
          .contains("Cache-Status: tinyllm-proxy; hit");
      String answer = new String(Canned.joined(Canned.CHAT_STREAM), StandardCharsets.UTF_8);
      // one chunk per line, as Ollama flushes them
      assertThat(chunks(chunked)).containsExactlyElementsOf(lines(answer));
      assertThat(cacheCounts(f)).isEqualTo("hits=1 misses=1 stores=1");
      // the hit is a call: counted with its latency, but no tokens (no model evaluated any)
      assertThat(f.samples("tinyllm_requests_total"))
          .isEqualTo(
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"chat_stream\"} 2.0\n");
      assertThat(f.samples("tinyllm_request_latency_seconds_count"))
          .isEqualTo(
              "tinyllm_request_latency_seconds_count{graph=\"default\",model=\"qwen2.5:0.5b\"}"
                  + " 2\n");
      assertThat(f.samples("tinyllm_tokens_output_total"))
          .isEqualTo("tinyllm_tokens_output_total{graph=\"default\",model=\"qwen2.5:0.5b\"} 3.0\n");
      assertThat(f.samples("tinyllm_time_to_first_token_seconds_count"))
          .as("time to first token is the model's, measured on the miss only")
          .endsWith(" 1\n");
      assertThat(f.samples("tinyllm_proxy_requests_total"))
          .isEqualTo("tinyllm_proxy_requests_total{code=\"2xx\",path=\"/api/chat\"} 2.0\n");
    }
  }

  @Test
  void theSimulatorsAnswersAreReplayedAsItSentThem() {
    String openAi =
        "{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
            + "\"stream\":true,\"seed\":1}";
    try (ProxyFixture f =
        ProxyFixture.simulator(SimulatorConfig.builder().port(0).timeScale(0).build(), ON)) {
      HttpResponse<byte[]> chat = f.post(f.uri("/api/chat"), CHAT);
      HttpResponse<byte[]> chatAgain = f.post(f.uri("/api/chat"), CHAT);
      HttpResponse<byte[]> sse = f.post(f.uri("/v1/chat/completions"), openAi);
      HttpResponse<byte[]> sseAgain = f.post(f.uri("/v1/chat/completions"), openAi);
      HttpResponse<byte[]> direct = f.post(f.direct("/api/chat"), CHAT);

      assertThat(f.sim.stats().requests(Endpoint.CHAT)).isEqualTo(2); // the miss and direct
      assertThat(f.sim.stats().requests(Endpoint.OPENAI_CHAT)).isEqualTo(1);
      assertThat(chatAgain.body()).isEqualTo(chat.body());
      assertThat(sseAgain.body()).isEqualTo(sse.body());
      assertThat(sseAgain.headers().firstValue("Content-Type")).hasValue("text/event-stream");
      // the simulator's own second answer differs (its timestamps), the replay does not
      assertThat(direct.body()).isNotEqualTo(chat.body());
      assertThat(cacheCounts(f)).isEqualTo("hits=2 misses=2 stores=2");
    }
  }

  @Test
  void wholeAndOpenAiAnswersAreReplayedWithTheirContentType() {
    List<String> seenPaths = new ArrayList<>();
    HttpHandler handler =
        e -> {
          seenPaths.add(e.getRequestURI().getPath());
          switch (e.getRequestURI().getPath()) {
            case "/api/generate" -> Canned.whole(e, 200, Canned.GENERATE_WHOLE);
            case "/v1/chat/completions" ->
                Canned.stream(e, "text/event-stream", Canned.OPENAI_STREAM_WITH_USAGE);
            default -> Canned.whole(e, 200, Canned.OPENAI_WHOLE);
          }
        };
    String openAiStream =
        "{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
            + "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"temperature\":0}";
    String completion = "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Hi\",\"seed\":7}";
    try (CannedUpstream upstream = new CannedUpstream(handler);
        ProxyFixture f = ProxyFixture.upstream(upstream.uri(), ON)) {
      for (int i = 0; i < 3; i++) {
        HttpResponse<byte[]> whole = f.post(f.uri("/api/generate"), GENERATE);
        HttpResponse<byte[]> sse = f.post(f.uri("/v1/chat/completions"), openAiStream);
        HttpResponse<byte[]> openAiWhole = f.post(f.uri("/v1/completions"), completion);

        assertThat(whole.body()).isEqualTo(Canned.GENERATE_WHOLE.getBytes(StandardCharsets.UTF_8));
        assertThat(whole.headers().firstValueAsLong("Content-Length"))
            .hasValue(Canned.GENERATE_WHOLE.getBytes(StandardCharsets.UTF_8).length);
        assertThat(whole.headers().firstValue("Content-Type"))
            .hasValue("application/json; charset=utf-8");
        assertThat(sse.body()).isEqualTo(Canned.joined(Canned.OPENAI_STREAM_WITH_USAGE));
        assertThat(sse.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(openAiWhole.body())
            .isEqualTo(Canned.OPENAI_WHOLE.getBytes(StandardCharsets.UTF_8));
      }

      assertThat(seenPaths)
          .containsExactly("/api/generate", "/v1/chat/completions", "/v1/completions");
      assertThat(cacheCounts(f)).isEqualTo("hits=6 misses=3 stores=3");
      // the usage of the one answer the backend gave, not of each replay
      assertThat(f.samples("tinyllm_tokens_input_total"))
          .isEqualTo("tinyllm_tokens_input_total{graph=\"default\",model=\"qwen2.5:0.5b\"} 21.0\n");
    }
  }

  @Test
  void nonDeterministicCallsAreNeverCached() {
    try (CannedUpstream upstream =
            new CannedUpstream(e -> Canned.whole(e, 200, Canned.GENERATE_WHOLE));
        ProxyFixture f = ProxyFixture.upstream(upstream.uri(), ON)) {
      List<String> calls =
          List.of(
              "{\"model\":\"m\",\"prompt\":\"Hi\",\"stream\":false}",
              "{\"model\":\"m\",\"prompt\":\"Hi\",\"stream\":false,\"options\":{\"temperature\":0.7}}",
              "{\"model\":\"m\",\"prompt\":\"Hi\",\"stream\":false,\"options\":{\"seed\":-1}}",
              // the top-level temperature is the OpenAI API's, not the native one's
              "{\"model\":\"m\",\"prompt\":\"Hi\",\"stream\":false,\"temperature\":0}");
      for (String call : calls) {
        f.post(f.uri("/api/generate"), call);
        f.post(f.uri("/api/generate"), call);
      }

      assertThat(upstream.arrivals()).isEqualTo(8);
      assertThat(cacheCounts(f)).isEqualTo("hits=0 misses=0 stores=0");
      assertThat(f.samples("tinyllm_cache_skips_total"))
          .isEqualTo(
              "tinyllm_cache_skips_total{cache_type=\"proxy_memory\",reason=\"nondeterministic\"}"
                  + " 8.0\n");
    }
  }

  @Test
  void errorsAndBrokenOrCutAnswersAreNeverCached() {
    List<String> bodies = new ArrayList<>();
    HttpHandler handler =
        e -> {
          String body = new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          bodies.add(body);
          if (body.contains("missing")) {
            Canned.whole(e, 404, "{\"error\":\"model 'missing' not found\"}");
          } else if (body.contains("busy")) {
            Canned.whole(e, 503, "{\"error\":\"server busy, please try again.\"}");
          } else if (body.contains("failing")) {
            // an error object in the middle of a 200 stream
            Canned.stream(
                e,
                "application/x-ndjson",
                List.of(Canned.CHAT_STREAM.get(0), utf8("{\"error\":\"runner crashed\"}\n")));
          } else {
            // ends without its final (done) line
            Canned.stream(e, "application/x-ndjson", Canned.CHAT_STREAM.subList(0, 1));
          }
        };
    try (CannedUpstream upstream = new CannedUpstream(handler);
        ProxyFixture f = ProxyFixture.upstream(upstream.uri(), ON)) {
      for (String model : List.of("missing", "busy", "failing", "cut")) {
        String call = CHAT.replace("qwen2.5:0.5b", model);
        f.post(f.uri("/api/chat"), call);
        f.post(f.uri("/api/chat"), call);
      }

      assertThat(bodies).hasSize(8);
      assertThat(cacheCounts(f)).isEqualTo("hits=0 misses=8 stores=0");
    }
  }

  @Test
  void aClientThatHangsUpLeavesNothingInTheCache() {
    AtomicInteger upstreamCalls = new AtomicInteger();
    CountDownLatch clientGone = new CountDownLatch(1);
    byte[] filler =
        utf8(
            "{\"model\":\"qwen2.5:0.5b\",\"message\":{\"role\":\"assistant\",\"content\":\""
                + "x".repeat(8000)
                + "\"},\"done\":false}\n");
    HttpHandler handler =
        e -> {
          e.getRequestBody().readAllBytes();
          e.getResponseHeaders().set("Content-Type", "application/x-ndjson");
          e.sendResponseHeaders(200, 0);
          try (OutputStream out = e.getResponseBody()) {
            out.write(Canned.CHAT_STREAM.get(0));
            out.flush();
            if (upstreamCalls.incrementAndGet() == 1) {
              Canned.await(clientGone);
              // far more than the sockets in between hold: the proxy meets the hang-up
              for (int i = 0; i < 500; i++) {
                out.write(filler);
                out.flush();
              }
            }
            for (byte[] piece : Canned.CHAT_STREAM.subList(1, Canned.CHAT_STREAM.size())) {
              out.write(piece);
              out.flush();
            }
          } catch (IOException expected) {
            // the proxy closed the upstream connection: the answer never ended
          }
        };
    try (CannedUpstream upstream = new CannedUpstream(handler);
        ProxyFixture f = ProxyFixture.upstream(upstream.uri(), ON)) {
      try (RawHttp raw = new RawHttp(f.proxy.uri())) {
        raw.send("POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json", CHAT)
            .readUntil("\"done\":false}", 4096);
      }
      clientGone.countDown();
      f.awaitSamples(
          "tinyllm_proxy_client_disconnects_total",
          "tinyllm_proxy_client_disconnects_total{path=\"/api/chat\"} 1.0\n");
      HttpResponse<byte[]> second = f.post(f.uri("/api/chat"), CHAT);
      HttpResponse<byte[]> third = f.post(f.uri("/api/chat"), CHAT);

      assertThat(second.body()).isEqualTo(Canned.joined(Canned.CHAT_STREAM));
      assertThat(third.body()).isEqualTo(Canned.joined(Canned.CHAT_STREAM));
      assertThat(upstreamCalls).hasValue(2);
      assertThat(cacheCounts(f)).isEqualTo("hits=1 misses=2 stores=1");
    }
  }

  @Test
  void anAnswerOverTheEntryBoundIsForwardedButNotKept() {
    try (CannedUpstream upstream =
            new CannedUpstream(e -> Canned.stream(e, "application/x-ndjson", Canned.CHAT_STREAM));
        ProxyFixture f =
            ProxyFixture.upstream(
                upstream.uri(),
                Map.of("proxy.cache.enabled", "true", "proxy.cache.max-entry-bytes", "100"))) {
      HttpResponse<byte[]> first = f.post(f.uri("/api/chat"), CHAT);
      HttpResponse<byte[]> second = f.post(f.uri("/api/chat"), CHAT);

      assertThat(first.body()).isEqualTo(Canned.joined(Canned.CHAT_STREAM));
      assertThat(second.body()).isEqualTo(Canned.joined(Canned.CHAT_STREAM));
      assertThat(upstream.arrivals()).isEqualTo(2);
      assertThat(cacheCounts(f)).isEqualTo("hits=0 misses=2 stores=0");
    }
  }

  @Test
  void theMemoryStoreHoldsAtMostMaxEntriesAndEvictsTheRest() {
    try (CannedUpstream upstream =
            new CannedUpstream(e -> Canned.whole(e, 200, Canned.GENERATE_WHOLE));
        ProxyFixture f =
            ProxyFixture.upstream(
                upstream.uri(),
                Map.of("proxy.cache.enabled", "true", "proxy.cache.max-entries", "2"))) {
      for (int i = 0; i < 5; i++) {
        f.post(f.uri("/api/generate"), GENERATE.replace("Hi", "Hi " + i));
      }

      assertThat(cacheCounts(f)).isEqualTo("hits=0 misses=5 stores=5");
      assertThat(f.samples("tinyllm_cache_entries"))
          .isEqualTo("tinyllm_cache_entries{cache_type=\"proxy_memory\"} 2.0\n");
      assertThat(f.samples("tinyllm_cache_evictions_total"))
          .isEqualTo(
              "tinyllm_cache_evictions_total{cache_type=\"proxy_memory\",cause=\"size\"} 3.0\n");
    }
  }

  @Test
  void offByDefault() {
    try (CannedUpstream upstream =
            new CannedUpstream(e -> Canned.whole(e, 200, Canned.GENERATE_WHOLE));
        ProxyFixture f = ProxyFixture.upstream(upstream.uri())) {
      f.post(f.uri("/api/generate"), GENERATE);
      f.post(f.uri("/api/generate"), GENERATE);

      assertThat(upstream.arrivals()).isEqualTo(2);
      assertThat(f.scrape()).doesNotContain("proxy_memory").doesNotContain("proxy_redis");
    }
  }

  /** hits, misses and stores of the proxy's memory cache, zeros included. */
  static String cacheCounts(ProxyFixture f) {
    return cacheCounts(f, "proxy_memory");
  }

  static String cacheCounts(ProxyFixture f, String type) {
    String scrape = f.scrape();
    return "hits="
        + value(scrape, "tinyllm_cache_hits_total", type)
        + " misses="
        + value(scrape, "tinyllm_cache_misses_total", type)
        + " stores="
        + value(scrape, "tinyllm_cache_stores_total", type);
  }

  private static String value(String scrape, String family, String type) {
    Matcher m =
        Pattern.compile("(?m)^" + family + "\\{cache_type=\"" + type + "\"} ([0-9.E+]+)$")
            .matcher(scrape);
    return m.find() ? String.valueOf((long) Double.parseDouble(m.group(1))) : "absent";
  }

  /** The data of each chunk of a raw chunked HTTP answer. */
  static List<String> chunks(String raw) {
    String body = raw.substring(raw.indexOf("\r\n\r\n") + 4);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    List<String> chunks = new ArrayList<>();
    int at = 0;
    while (at < bytes.length) {
      int lineEnd = indexOf(bytes, at);
      int size =
          Integer.parseInt(new String(bytes, at, lineEnd - at, StandardCharsets.US_ASCII), 16);
      if (size == 0) {
        break;
      }
      chunks.add(new String(bytes, lineEnd + 2, size, StandardCharsets.UTF_8));
      at = lineEnd + 2 + size + 2;
    }
    return chunks;
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    throw new IllegalArgumentException("no CRLF after " + from);
  }

  private static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("(?<=\n)")) {
      lines.add(line);
    }
    return lines;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
