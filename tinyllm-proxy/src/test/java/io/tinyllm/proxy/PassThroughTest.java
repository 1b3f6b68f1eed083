package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Whatever the proxy does not know passes through as it came, in both directions. */
class PassThroughTest {
  @Test
  void headUnknownPathsAndUnroutedMethodsAnswerAsOllamaDoes() {
    try (ProxyFixture f = ProxyFixture.simulator()) {
      for (String method : List.of("HEAD", "GET", "PATCH")) {
        for (String path : List.of("/", "/api/tags", "/no/such/path?x=1")) {
          HttpRequest.BodyPublisher body =
              method.equals("PATCH")
                  ? HttpRequest.BodyPublishers.ofString("{}")
                  : HttpRequest.BodyPublishers.noBody();
          HttpResponse<byte[]> direct =
              f.send(HttpRequest.newBuilder(f.direct(path)).method(method, body).build());
          HttpResponse<byte[]> proxied =
              f.send(HttpRequest.newBuilder(f.uri(path)).method(method, body).build());

          String what = method + " " + path;
          assertThat(proxied.statusCode()).as(what).isEqualTo(direct.statusCode());
          assertThat(proxied.body()).as(what).isEqualTo(direct.body());
          assertThat(proxied.headers().firstValue("Content-Length"))
              .as(what)
              .isEqualTo(direct.headers().firstValue("Content-Length"));
          assertThat(proxied.headers().firstValue("Content-Type"))
              .as(what)
              .isEqualTo(direct.headers().firstValue("Content-Type"));
        }
      }
      assertThat(f.sim.stats().unmatchedRequests()).isGreaterThan(0);
      assertThat(f.samples("tinyllm_proxy_requests_total"))
          .contains("tinyllm_proxy_requests_total{code=\"4xx\",path=\"other\"} 3.0");
    }
  }

  @Test
  void hopByHopHeadersStopAtTheProxyAndEveryOtherHeaderPasses() {
    try (CannedUpstream upstream = new CannedUpstream(PassThroughTest::echo);
        ProxyFixture f = ProxyFixture.upstream(upstream.uri());
        RawHttp client = new RawHttp(f.proxy.uri())) {
      String answer =
          client
              .send(
                  String.join(
                      "\r\n",
                      "PUT /some/path?a=1&b=%20x HTTP/1.1",
                      "Host: ollama.example",
                      "Connection: close",
                      "Connection: X-Hop, Keep-Alive",
                      "X-Hop: secret",
                      "Keep-Alive: timeout=5",
                      "TE: trailers",
                      "Proxy-Authorization: Basic c2VjcmV0",
                      "Upgrade: websocket",
                      "X-Keep: kept",
                      "X-TinyLLM-Graph: qa",
                      "Authorization: Bearer token",
                      "User-Agent: raw-test/1"),
                  "the body")
              .readAll();

      assertThat(answer).startsWith("HTTP/1.1 201");
      String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
      assertThat(head).contains("\r\nx-answer: kept").doesNotContain("x-answer-hop", "keep-alive");
      String echoed = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      assertThat(echoed)
          .startsWith("PUT /some/path?a=1&b=%20x\n")
          .contains(
              "authorization: Bearer token\n",
              "user-agent: raw-test/1\n",
              "x-keep: kept\n",
              "x-tinyllm-graph: qa\n")
          .endsWith("\nthe body");
      assertThat(echoed.toLowerCase(Locale.ROOT))
          .doesNotContain(
              "x-hop:", "keep-alive:", "te:", "proxy-authorization:", "upgrade:", "ollama.example");
    }
  }

  @Test
  void bodiesOfAnySizeStreamThroughIntactWithOrWithoutALength() throws Exception {
    byte[] big =
        ("{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"" + "x".repeat(3_000_000) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    try (CannedUpstream upstream = new CannedUpstream(Canned::digest);
        ProxyFixture f = ProxyFixture.upstream(upstream.uri())) {
      HttpResponse<byte[]> withLength =
          f.send(
              HttpRequest.newBuilder(f.uri("/api/generate"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(big))
                  .build());
      HttpResponse<byte[]> chunked =
          f.send(
              HttpRequest.newBuilder(f.uri("/api/blobs/sha256:abc"))
                  .POST(
                      HttpRequest.BodyPublishers.ofInputStream(
                          () -> new java.io.ByteArrayInputStream(big)))
                  .build());

      String expected = Canned.digestAnswer(big);
      assertThat(new String(withLength.body(), StandardCharsets.UTF_8)).isEqualTo(expected);
      assertThat(new String(chunked.body(), StandardCharsets.UTF_8)).isEqualTo(expected);
      HttpExchange first = upstream.seen.take();
      assertThat(first.getRequestHeaders().getFirst("Content-Length"))
          .isEqualTo(String.valueOf(big.length));
      // the model came from the first 64 KiB; the 3 MB after them streamed on
      assertThat(f.samples("tinyllm_requests_total"))
          .isEqualTo(
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"generate_stream\"} 1.0\n");
    }
  }

  /** Answers 201 with the request line, its headers (lower-cased, sorted) and its body. */
  private static void echo(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    StringBuilder text =
        new StringBuilder(exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n");
    Map<String, List<String>> sorted = new TreeMap<>();
    exchange
        .getRequestHeaders()
        .forEach((name, values) -> sorted.put(name.toLowerCase(Locale.ROOT), values));
    sorted.forEach((name, values) -> values.forEach(v -> text.append(name + ": " + v + "\n")));
    text.append(new String(body, StandardCharsets.UTF_8));
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Connection", "X-Answer-Hop");
    exchange.getResponseHeaders().set("X-Answer-Hop", "1");
    exchange.getResponseHeaders().set("Keep-Alive", "timeout=5");
    exchange.getResponseHeaders().set("X-Answer", "kept");
    exchange.sendResponseHeaders(201, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
