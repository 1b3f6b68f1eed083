package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.LlmTimeoutException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Streams to a plain-HTTP server are read on the stream's thread from a blocking connection: a
 * finished answer leaves its connection for the next call, a cancelled or idle one closes it.
 */
class BlockingStreamTest {
  private static final GenerateRequest HI = GenerateRequest.builder("m:1b", "hi").build();
  private static final String TOKEN = "{\"model\":\"m:1b\",\"response\":\"w \",\"done\":false}\n";
  private static final String DONE =
      "{\"model\":\"m:1b\",\"response\":\"\",\"done\":true,\"done_reason\":\"stop\","
          + "\"eval_count\":3}\n";

  @Test
  void streamsOneAfterAnotherShareOneKeptAliveConnection() throws Exception {
    Set<InetSocketAddress> peers = ConcurrentHashMap.newKeySet();
    try (HostileServer server =
            HostileServer.start(Map.of("/api/generate", answer(peers, TOKEN.repeat(3) + DONE)));
        OllamaClient client = OllamaClient.create(config(server.uri(), Map.of()))) {
      for (int i = 0; i < 3; i++) {
        RecordingListener listener = new RecordingListener();
        StreamHandle handle = client.generateStream(HI, listener);
        LlmResponse response = handle.completion().get(10, TimeUnit.SECONDS);
        assertThat(((OllamaStream) handle).channel()).isInstanceOf(BlockingBody.class);
        assertThat(response.text()).isEqualTo("w w w ");
        assertThat(listener.tokens).containsExactly("w ", "w ", "w ");
      }
      assertThat(server.hits("/api/generate")).isEqualTo(3);
      assertThat(peers).as("the client's connections, by address").hasSize(1);
    }
  }

  @Test
  void cancellingMidStreamClosesTheConnectionAndTheNextStreamOpensAnother() throws Exception {
    Set<InetSocketAddress> peers = ConcurrentHashMap.newKeySet();
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    (exchange, s) -> {
                      peers.add(exchange.getRemoteAddress());
                      HostileServer.endless(
                              "application/x-ndjson", TOKEN, TOKEN, Duration.ofMillis(10))
                          .handle(exchange, s);
                    }));
        OllamaClient client = OllamaClient.create(config(server.uri(), Map.of()))) {
      RecordingListener listener = new RecordingListener();
      StreamHandle handle = client.generateStream(HI, listener);
      listener.awaitFirstToken();

      handle.cancel();

      assertThat(listener.terminal).singleElement().isInstanceOf(CancelledException.class);
      assertThat(server.awaitHangUp(Duration.ofSeconds(10)))
          .as("the server's next write finds the connection closed")
          .isTrue();
      // the stream's thread, woken by the closed socket, ends the attempt and lets go of the body
      OllamaStream stream = (OllamaStream) handle;
      BlockingBody body = (BlockingBody) stream.channel();
      assertThat(body.cancelled()).isTrue();

      RecordingListener next = new RecordingListener();
      StreamHandle second = client.generateStream(HI, next);
      next.awaitFirstToken();
      second.cancel();
      assertThat(peers).as("a cancelled connection is not reused").hasSize(2);
    }
  }

  @Test
  void aStreamThatGoesQuietTimesOutAndClosesItsConnection() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch wroteAfterRelease = new CountDownLatch(1);
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    (exchange, s) -> {
                      exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
                      exchange.sendResponseHeaders(200, 0);
                      OutputStream out = exchange.getResponseBody();
                      out.write(TOKEN.getBytes(StandardCharsets.UTF_8));
                      out.flush();
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                      }
                      try {
                        // the client closed the connection: one write may still be buffered
                        for (int i = 0; i < 1000; i++) {
                          out.write(TOKEN.repeat(100).getBytes(StandardCharsets.UTF_8));
                          out.flush();
                        }
                      } finally {
                        wroteAfterRelease.countDown();
                      }
                    }));
        OllamaClient client =
            OllamaClient.create(
                config(server.uri(), Map.of(OllamaConfig.STREAM_IDLE_TIMEOUT, "300ms")))) {
      RecordingListener listener = new RecordingListener();
      StreamHandle handle = client.generateStream(HI, listener);

      Throwable failure = completionFailure(handle);

      assertThat(failure)
          .isInstanceOf(LlmTimeoutException.class)
          .hasMessageContaining("sent nothing for 300 ms")
          .hasMessageContaining(OllamaConfig.STREAM_IDLE_TIMEOUT);
      assertThat(listener.tokens).containsExactly("w ");
      release.countDown();
      assertThat(server.awaitHangUp(Duration.ofSeconds(10)))
          .as("the timed-out stream's connection was closed")
          .isTrue();
    } finally {
      release.countDown();
    }
  }

  @Test
  void aServerThatSendsNoHeadersTimesOutWithTheRequestTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    (exchange, s) -> {
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
        OllamaClient client =
            OllamaClient.create(
                config(
                    server.uri(),
                    Map.of(
                        OllamaConfig.REQUEST_TIMEOUT, "300ms",
                        OllamaConfig.RETRY_MAX_ATTEMPTS, "1")))) {
      Throwable failure = completionFailure(client.generateStream(HI, new RecordingListener()));

      assertThat(failure)
          .isInstanceOf(LlmTimeoutException.class)
          .hasMessageContaining("did not start streaming from model 'm:1b' within 300 ms");
    } finally {
      release.countDown();
    }
  }

  @Test
  void closingTheClientEndsAStreamBlockedInARead() throws Exception {
    try (HostileServer server =
        HostileServer.start(
            Map.of(
                "/api/generate",
                HostileServer.endless(
                    "application/x-ndjson", TOKEN, TOKEN, Duration.ofSeconds(1))))) {
      OllamaClient client = OllamaClient.create(config(server.uri(), Map.of()));
      RecordingListener listener = new RecordingListener();
      StreamHandle handle = client.generateStream(HI, listener);
      listener.awaitFirstToken();

      client.close();

      assertThat(completionFailure(handle)).isInstanceOf(CancelledException.class);
    }
  }

  private static Throwable completionFailure(StreamHandle handle) throws Exception {
    try {
      handle.completion().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the stream did not fail");
  }

  /** Answers {@code body} as a chunked NDJSON stream, noting the client's address. */
  private static HostileServer.Handler answer(Set<InetSocketAddress> peers, String body) {
    return (HttpExchange exchange, HostileServer server) -> {
      peers.add(exchange.getRemoteAddress());
      exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        for (String line : List.of(body.split("(?<=\n)"))) {
          out.write(line.getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      }
    };
  }

  private static OllamaConfig config(URI host, Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(ClientFixture.testDefaults());
    all.putAll(settings);
    all.put(OllamaConfig.HOST, host.toString());
    return OllamaConfig.from(Settings.of(all), Map.of());
  }
}
