package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.LlmTimeoutException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.error.ResponseTooLargeException;
import io.tinyllm.api.error.ServerRejectedException;
import io.tinyllm.ollama.sim.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The client of a one-shot command ({@link OllamaClient#createOneShot}) and the ordinary client
 * make their non-streamed calls to plain-HTTP servers without the JDK's {@code HttpClient}, and
 * answer and fail exactly as a client that calls through it does: same results, same exception
 * types, same messages.
 */
class OneShotClientTest {
  private static final String MODEL = "qwen2.5:0.5b";

  @Test
  void answersAsTheJdkClientWithoutStartingIt() throws Exception {
    try (ClientFixture f = ClientFixture.start()) {
      OllamaConfig config = config(f.sim.baseUri(), Map.of());
      Set<String> before = httpClientThreads();
      try (OllamaClient oneShot = OllamaClient.createOneShot(config);
          OllamaClient ordinary = OllamaClient.create(config);
          OllamaClient jdk = OllamaClient.createOnJdkClient(config)) {
        for (OllamaClient client : List.of(oneShot, ordinary)) {
          assertThat(client.list()).isNotEmpty();
          client.running();
          client.show(MODEL);
          assertThat(client.version()).isNotEmpty();
        }
        assertThat(newThreads(before)).as("HttpClient threads of the two clients").isEmpty();

        for (OllamaClient client : List.of(oneShot, ordinary)) {
          assertThat(client.list()).isEqualTo(jdk.list());
          assertThat(client.running()).isEqualTo(jdk.running());
          assertThat(client.show(MODEL)).isEqualTo(jdk.show(MODEL));
          assertThat(client.version()).isEqualTo(jdk.version());
        }
        assertThat(newThreads(before)).as("HttpClient threads of the JDK client").hasSize(1);

        // a DELETE with a body, answered 200 without one
        int models = jdk.list().size();
        oneShot.delete("qwen2.5:3b");
        assertThat(jdk.list()).hasSize(models - 1);
        ordinary.delete("qwen2.5:1.5b");
        assertThat(jdk.list()).hasSize(models - 2);
      }
    }
  }

  @Test
  void aMissingModelAndAServerErrorFailAlike() {
    try (ClientFixture f = ClientFixture.start()) {
      OllamaConfig config = config(f.sim.baseUri(), Map.of());
      assertSameFailure(config, c -> c.show("nope:1b"), ModelNotFoundException.class);
      f.sim.faults().scope(Endpoint.TAGS).failNext(3, 500, "disk on fire");
      assertSameFailure(config, OllamaClient::list, ServerRejectedException.class);
    }
  }

  @Test
  void aRefusedConnectionFailsAlike() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Throwable failure =
        assertSameFailure(
            config(URI.create("http://127.0.0.1:" + port), Map.of()),
            OllamaClient::list,
            LlmConnectionException.class);
    assertThat(failure).hasMessageContaining("connection refused").hasMessageContaining("ollama");
  }

  @Test
  void aServerThatDoesNotTakeTheConnectionTimesOutAlike() throws IOException {
    // a listening socket whose accept queue is full drops the next connections' SYNs (Linux)
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> queued = new ArrayList<>();
      try {
        boolean filled = false;
        for (int i = 0; i < 16 && !filled; i++) {
          Socket socket = new Socket();
          queued.add(socket);
          try {
            socket.connect(full.getLocalSocketAddress(), 300);
          } catch (SocketTimeoutException e) {
            filled = true;
          }
        }
        assertThat(filled).as("the accept queue filled up").isTrue();
        Throwable failure =
            assertSameFailure(
                config(
                    URI.create("http://127.0.0.1:" + full.getLocalPort()),
                    Map.of(OllamaConfig.CONNECT_TIMEOUT, "300ms")),
                OllamaClient::list,
                LlmTimeoutException.class);
        assertThat(failure)
            .hasMessageStartingWith(
                "Connecting to Ollama at http://127.0.0.1:"
                    + full.getLocalPort()
                    + " timed out after 300 ms");
      } finally {
        for (Socket socket : queued) {
          socket.close();
        }
      }
    }
  }

  @Test
  void anUnknownHostFailsAlike() {
    // .invalid never resolves (RFC 2606)
    Throwable failure =
        assertSameFailure(
            config(URI.create("http://nohost.invalid:11434"), Map.of()),
            OllamaClient::list,
            LlmConnectionException.class);
    assertThat(failure)
        .hasMessageContaining("http://nohost.invalid:11434: the host name does not resolve.")
        .hasMessageNotContaining("Exception");
  }

  @Test
  void anAnswerOverTheCapFailsAlike() {
    try (HostileServer declared =
            HostileServer.start(
                Map.of("/api/tags", HostileServer.json(200, "{\"models\":[" + " ".repeat(2000))));
        HostileServer endless =
            HostileServer.start(
                Map.of(
                    "/api/tags",
                    HostileServer.endless(
                        "application/json", "{\"models\":[", " ".repeat(8192), Duration.ZERO)))) {
      Map<String, String> cap = Map.of(OllamaConfig.MAX_RESPONSE_BYTES, "1024");
      assertThat(
              assertSameFailure(
                  config(declared.uri(), cap), OllamaClient::list, ResponseTooLargeException.class))
          .hasMessageContaining("Content-Length 2011");
      assertThat(
              assertSameFailure(
                  config(endless.uri(), cap), OllamaClient::list, ResponseTooLargeException.class))
          .hasMessageContaining("larger than the 1024 bytes");
    }
  }

  @Test
  void aServerThatDoesNotAnswerOrTricklesTimesOutAlike() {
    CountDownLatch release = new CountDownLatch(1);
    try (HostileServer silent =
            HostileServer.start(
                Map.of(
                    "/api/tags",
                    (exchange, server) -> {
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
        HostileServer trickling =
            HostileServer.start(
                Map.of(
                    "/api/tags",
                    HostileServer.endless(
                        "application/json", "{\"models\":[", " ", Duration.ofMillis(100))))) {
      Map<String, String> timeout = Map.of(OllamaConfig.REQUEST_TIMEOUT, "1s");
      assertThat(
              assertSameFailure(
                  config(silent.uri(), timeout), OllamaClient::list, LlmTimeoutException.class))
          .hasMessageContaining("did not answer GET /api/tags within 1000 ms");
      assertSameFailure(
          config(trickling.uri(), timeout), OllamaClient::list, LlmTimeoutException.class);
    } finally {
      release.countDown();
    }
  }

  /**
   * Runs {@code call} on the one-shot, the ordinary and the JDK client and checks they fail with
   * one type and one message.
   */
  private static Throwable assertSameFailure(
      OllamaConfig config, Consumer<OllamaClient> call, Class<? extends Throwable> type) {
    Throwable jdk;
    Throwable ordinary;
    Throwable oneShot;
    try (OllamaClient client = OllamaClient.createOnJdkClient(config)) {
      jdk = catchThrowable(() -> call.accept(client));
    }
    try (OllamaClient client = OllamaClient.create(config)) {
      ordinary = catchThrowable(() -> call.accept(client));
    }
    try (OllamaClient client = OllamaClient.createOneShot(config)) {
      oneShot = catchThrowable(() -> call.accept(client));
    }
    assertThat(jdk).isInstanceOf(type);
    assertThat(ordinary).isInstanceOf(type).hasMessage(jdk.getMessage());
    assertThat(oneShot).isInstanceOf(type).hasMessage(jdk.getMessage());
    return oneShot;
  }

  private static OllamaConfig config(URI host, Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(ClientFixture.testDefaults());
    all.putAll(settings);
    all.put(OllamaConfig.HOST, host.toString());
    return OllamaConfig.from(Settings.of(all), Map.of());
  }

  private static Set<String> newThreads(Set<String> before) {
    Set<String> now = httpClientThreads();
    now.removeAll(before);
    return now;
  }

  private static Set<String> httpClientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith("HttpClient-") && name.endsWith("-SelectorManager"))
        .collect(Collectors.toCollection(HashSet::new));
  }
}
