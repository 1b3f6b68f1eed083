package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the client gets through the proxy is, byte for byte, what Ollama sent. */
class ByteIdentityTest {
  @Test
  void aNativeStreamArrivesByteForByteAndPieceByPiece() throws Exception {
    CountDownLatch firstPieceRead = new CountDownLatch(1);
    AtomicBoolean readBeforeTheRestWasSent = new AtomicBoolean();
    List<byte[]> pieces = Canned.CHAT_STREAM;
    try (CannedUpstream upstream =
            new CannedUpstream(
                exchange -> {
                  exchange.getRequestBody().readAllBytes();
                  exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
                  exchange.sendResponseHeaders(200, 0);
                  try (var out = exchange.getResponseBody()) {
                    out.write(pieces.get(0));
                    out.flush();
                    // the rest only once the client read the first line through the proxy
                    readBeforeTheRestWasSent.set(Canned.await(firstPieceRead));
                    for (byte[] piece : pieces.subList(1, pieces.size())) {
                      out.write(piece);
                      out.flush();
                    }
                  }
                });
        ProxyFixture f = ProxyFixture.upstream(upstream.uri())) {
      HttpResponse<InputStream> response =
          f.http.send(
              HttpRequest.newBuilder(f.uri("/api/chat"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"qwen2.5:0.5b\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      try (InputStream in = response.body()) {
        int b;
        while ((b = in.read()) >= 0) {
          received.write(b);
          if (b == '\n' && firstPieceRead.getCount() > 0) {
            firstPieceRead.countDown();
          }
        }
      }

      assertThat(readBeforeTheRestWasSent).isTrue();
      assertThat(received.toByteArray()).isEqualTo(Canned.joined(pieces));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
    }
  }

  @Test
  void aWholeAnswerKeepsItsLengthAndBytes() {
    try (CannedUpstream upstream =
            new CannedUpstream(exchange -> Canned.whole(exchange, 200, Canned.GENERATE_WHOLE));
        ProxyFixture f = ProxyFixture.upstream(upstream.uri())) {
      HttpResponse<byte[]> response =
          f.post(f.uri("/api/generate"), "{\"model\":\"qwen2.5:0.5b\",\"stream\":false}");

      assertThat(response.body()).isEqualTo(Canned.GENERATE_WHOLE.getBytes(StandardCharsets.UTF_8));
      assertThat(response.headers().firstValueAsLong("Content-Length"))
          .hasValue(Canned.GENERATE_WHOLE.getBytes(StandardCharsets.UTF_8).length);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/json; charset=utf-8");
    }
  }

  @Test
  void anOpenAiEventStreamArrivesByteForByte() {
    try (CannedUpstream upstream =
            new CannedUpstream(
                exchange ->
                    Canned.stream(exchange, "text/event-stream", Canned.OPENAI_STREAM_WITH_USAGE));
        ProxyFixture f = ProxyFixture.upstream(upstream.uri())) {
      HttpResponse<byte[]> response =
          f.post(
              f.uri("/v1/chat/completions"),
              "{\"model\":\"qwen2.5:0.5b\",\"stream\":true,"
                  + "\"stream_options\":{\"include_usage\":true},\"messages\":[]}");

      assertThat(response.body()).isEqualTo(Canned.joined(Canned.OPENAI_STREAM_WITH_USAGE));
      assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    }
  }

  @Test
  void simulatorAnswersMatchDirectOnesApartFromTimings() {
    try (ProxyFixture f = ProxyFixture.simulator()) {
      for (String request :
          List.of(
              "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Why is the sky blue?\"}",
              "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Why is the sky blue?\",\"stream\":false}")) {
        HttpResponse<byte[]> direct = f.post(f.direct("/api/generate"), request);
        HttpResponse<byte[]> proxied = f.post(f.uri("/api/generate"), request);

        assertThat(proxied.statusCode()).isEqualTo(direct.statusCode()).isEqualTo(200);
        assertThat(withoutTimings(proxied.body())).isEqualTo(withoutTimings(direct.body()));
      }
      assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(4);
    }
  }

  /** The simulator's answers differ only in their timestamps and measured durations. */
  private static String withoutTimings(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    text =
        Pattern.compile("\"created_at\":\"[^\"]*\"").matcher(text).replaceAll("\"created_at\":T");
    return Pattern.compile("\"(\\w+_duration)\":\\d+").matcher(text).replaceAll("\"$1\":D");
  }
}
