package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.ollama.sim.Gate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Clients that hang up, and clients that stop reading. */
class ClientBehaviourTest {
  private static final String REQUEST = "{\"model\":\"slow:1b\",\"prompt\":\"ping\"}";

  @Test
  void aClientThatHangsUpMidStreamCancelsTheUpstreamRequest() throws Exception {
    try (ProxyFixture f = ProxyFixture.simulator(Canned.slowModel(1))) {
      try (RawHttp client = new RawHttp(f.proxy.uri())) {
        client
            .send(
                "POST /api/generate HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json",
                REQUEST)
            .readUntil("\"done\":false}", 64 * 1024);
        assertThat(f.sim.stats().activeRequests()).isEqualTo(1);
      }

      // the next token written finds the client gone; the simulator then sees its connection
      // closed, 19 s before the answer would have ended
      assertThat(f.sim.stats().awaitActiveRequestsAtMost(0, Duration.ofSeconds(10)))
          .as("the simulator stopped streaming")
          .isTrue();
      awaitUpTo10s(() -> f.samples("tinyllm_proxy_active_requests").endsWith(" 0.0\n"));
      assertThat(f.samples("tinyllm_proxy_client_disconnects_total"))
          .isEqualTo("tinyllm_proxy_client_disconnects_total{path=\"/api/generate\"} 1.0\n");
      assertThat(f.samples("tinyllm_request_outcomes_total"))
          .isEqualTo(
              "tinyllm_request_outcomes_total{model=\"slow:1b\",outcome=\"cancelled\"} 1.0\n");
      assertThat(f.samples("tinyllm_errors_total")).isEmpty();
      assertThat(f.samples("tinyllm_active_requests"))
          .isEqualTo("tinyllm_active_requests{graph=\"default\",model=\"slow:1b\"} 0.0\n");
    }
  }

  @Test
  void aClientThatHangsUpBeforeTheFirstTokenCancelsItWhenTheTokenComes() throws Exception {
    try (ProxyFixture f = ProxyFixture.simulator(Canned.slowModel(1))) {
      Gate gate = f.sim.faults().holdBeforeFirstToken(1);
      try (RawHttp client = new RawHttp(f.proxy.uri())) {
        client.send(
            "POST /api/generate HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json",
            REQUEST);
        assertThat(gate.awaitHeld(1, Duration.ofSeconds(10))).as("held at the gate").isTrue();
      }
      gate.open();

      assertThat(f.sim.stats().awaitActiveRequestsAtMost(0, Duration.ofSeconds(10)))
          .as("the simulator stopped streaming")
          .isTrue();
      awaitUpTo10s(() -> f.samples("tinyllm_request_outcomes_total").contains("cancelled"));
      assertThat(f.samples("tinyllm_proxy_client_disconnects_total"))
          .isEqualTo("tinyllm_proxy_client_disconnects_total{path=\"/api/generate\"} 1.0\n");
    }
  }

  @Test
  void aClientThatStopsReadingStallsOnlyItsOwnStream() throws Exception {
    AtomicLong produced = new AtomicLong();
    CountDownLatch producedAMegabyte = new CountDownLatch(1);
    try (CannedUpstream upstream =
            new CannedUpstream(
                exchange -> {
                  exchange.getRequestBody().readAllBytes();
                  if (!exchange.getRequestURI().getPath().equals("/api/generate")) {
                    Canned.whole(exchange, 200, "{\"models\":[]}");
                    return;
                  }
                  exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
                  exchange.sendResponseHeaders(200, 0);
                  byte[] line =
                      ("{\"model\":\"slow:1b\",\"response\":\""
                              + "x".repeat(8000)
                              + "\",\"done\":false}\n")
                          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                  try (OutputStream out = exchange.getResponseBody()) {
                    while (true) { // endless, until the proxy hangs up
                      out.write(line);
                      out.flush();
                      if (produced.addAndGet(line.length) > 1_000_000) {
                        producedAMegabyte.countDown();
                      }
                    }
                  } catch (IOException e) {
                    // the proxy closed the stream
                  }
                });
        ProxyFixture f = ProxyFixture.upstream(upstream.uri());
        RawHttp stuck = new RawHttp(f.proxy.uri())) {
      stuck.send(
          "POST /api/generate HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json", REQUEST);
      assertThat(producedAMegabyte.await(10, TimeUnit.SECONDS)).as("a megabyte written").isTrue();

      for (int i = 0; i < 20; i++) {
        HttpResponse<byte[]> tags =
            f.send(
                HttpRequest.newBuilder(f.uri("/api/tags")).timeout(Duration.ofSeconds(10)).build());
        assertThat(tags.statusCode()).isEqualTo(200);
      }

      // the stuck stream is read no faster than its client reads: what Ollama could write is
      // bounded by the socket buffers in between, not the answer's size
      assertThat(produced.get()).isLessThan(64_000_000);
      f.awaitSamples("tinyllm_proxy_active_requests", "tinyllm_proxy_active_requests 1.0\n");
    }
  }

  @Test
  void anAnswerInWhichOllamaFallsSilentIsBrokenOffAsATimeout() throws Exception {
    CountDownLatch released = new CountDownLatch(1);
    AtomicBoolean upstreamEnded = new AtomicBoolean();
    try (CannedUpstream upstream =
            new CannedUpstream(
                exchange -> {
                  exchange.getRequestBody().readAllBytes();
                  exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
                  exchange.sendResponseHeaders(200, 0);
                  OutputStream out = exchange.getResponseBody();
                  out.write(Canned.CHAT_STREAM.get(0));
                  out.flush();
                  try {
                    released.await(10, TimeUnit.SECONDS); // silent, connection open
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  upstreamEnded.set(true);
                  exchange.close();
                });
        ProxyFixture f =
            ProxyFixture.upstream(upstream.uri(), Map.of("ollama.timeout.stream-idle", "300ms"))) {
      HttpResponse<InputStream> response =
          f.http.send(
              HttpRequest.newBuilder(f.uri("/api/chat"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"qwen2.5:0.5b\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      // the answer is broken off, not ended: reading it fails instead of reaching its end
      assertThatThrownBy(() -> response.body().transferTo(received))
          .isInstanceOf(IOException.class);
      // broken off by the proxy's idle timeout, not by the upstream ending its answer
      assertThat(upstreamEnded).isFalse();
      released.countDown();

      assertThat(received.toByteArray()).isEqualTo(Canned.CHAT_STREAM.get(0));
      assertThat(f.samples("tinyllm_errors_total"))
          .isEqualTo(
              "tinyllm_errors_total{error_type=\"timeout\",graph=\"default\","
                  + "model=\"qwen2.5:0.5b\"} 1.0\n");
      assertThat(f.samples("tinyllm_proxy_upstream_failures_total"))
          .isEqualTo("tinyllm_proxy_upstream_failures_total{path=\"/api/chat\"} 1.0\n");
    }
  }

  private static void awaitUpTo10s(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      try {
        Thread.sleep(10); // polling a condition, bounded above
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
