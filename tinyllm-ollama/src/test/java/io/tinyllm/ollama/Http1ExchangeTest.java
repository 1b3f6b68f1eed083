package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.time.Ticker;
import io.tinyllm.metrics.LabelGuard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The calls that do not stream, to a plain-HTTP server, go over the client's own HTTP/1.1
 * connections on the calling thread ({@link Http1Exchange}): kept alive between calls, replaced
 * once when the server closed a kept one, ended by an interrupt, and with the same exception for
 * each of Ollama's error answers as through the JDK's {@code HttpClient}.
 */
class Http1ExchangeTest {
  private static final String TAGS = "{\"models\":[]}";
  private static final String GENERATED =
      "{\"model\":\"m:1b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"response\":\"hi\","
          + "\"done\":true,\"done_reason\":\"stop\",\"eval_count\":1}";

  @Test
  void callsOneAfterAnotherShareOneKeptAliveConnection() {
    Set<InetSocketAddress> peers = ConcurrentHashMap.newKeySet();
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/tags",
                    (exchange, s) -> {
                      peers.add(exchange.getRemoteAddress());
                      HostileServer.json(200, TAGS).handle(exchange, s);
                    },
                    "/api/show",
                    (exchange, s) -> {
                      peers.add(exchange.getRemoteAddress());
                      HostileServer.json(404, "{\"error\":\"model 'm:1b' not found\"}")
                          .handle(exchange, s);
                    }));
        OllamaClient client = OllamaClient.create(config(server.uri(), Map.of()))) {
      for (int i = 0; i < 3; i++) {
        assertThat(client.list()).isEmpty();
        // an error answer read to its end leaves the connection as reusable as a success
        catchThrowable(() -> client.show("m:1b"));
      }
      assertThat(server.hits("/api/tags")).isEqualTo(3);
      assertThat(server.hits("/api/show")).isEqualTo(3);
      assertThat(peers).as("the client's connections, by address").hasSize(1);
    }
  }

  @Test
  void aKeptConnectionTheServerClosedIsReplacedOnce() throws Exception {
    // the first connection answers one request and is then closed by the server, as an idle
    // connection is when the server's keep-alive ends; the second answers every request
    try (RawServer server =
            new RawServer(
                List.of(
                    connection -> {
                      connection.answer(200, TAGS);
                      connection.close();
                    },
                    connection -> {
                      while (connection.answer(200, TAGS)) {}
                    }));
        OllamaClient client = OllamaClient.create(config(server.uri(), Map.of()))) {
      assertThat(client.list()).isEmpty();
      server.awaitClosed(0);

      assertThat(client.list()).isEmpty();
      assertThat(client.list()).isEmpty();

      assertThat(server.connections()).as("connections opened").isEqualTo(2);
      assertThat(server.requests()).as("requests the server read").isEqualTo(3);
    }
  }

  @Test
  void aKeptConnectionTheServerEndedWhileIdleIsLeftBeforeAPostIsWrittenOnIt() throws Exception {
    // a POST is never sent twice, so only a check before the write can save it from a kept
    // connection the server closed (as Ollama's restart or a proxy's idle timeout closes it)
    try (RawServer server =
            new RawServer(
                List.of(
                    connection -> {
                      connection.answer(200, TAGS);
                      connection.close();
                    },
                    connection -> {
                      while (connection.answer(200, GENERATED)) {}
                    }));
        OllamaClient client =
            OllamaClient.create(
                config(server.uri(), Map.of(OllamaConfig.RETRY_MAX_ATTEMPTS, "1")))) {
      assertThat(client.list()).isEmpty();
      server.awaitClosed(0);

      assertThat(client.generate(GenerateRequest.builder("m:1b", "hi").build()).text())
          .isEqualTo("hi");

      assertThat(server.requests()).as("requests the server read").isEqualTo(2);
      assertThat(server.connections()).as("connections opened").isEqualTo(2);
    }
  }

  @Test
  void aPostTheServerReadAndDroppedOnAKeptConnectionIsNotSentAgainBehindTheCallersBack()
      throws Exception {
    // the kept connection answers one request, then reads the next and drops it unanswered: a
    // server that took the request and went away
    try (RawServer server = new RawServer(droppedAfterOne(TAGS));
        OllamaClient client = OllamaClient.create(config(server.uri(), Map.of()))) {
      assertThat(client.list()).isEmpty();

      Throwable failure = catchThrowable(() -> client.show("m:1b"));

      assertThat(failure).isInstanceOf(LlmConnectionException.class);
      assertThat(server.requests()).as("requests the server read").isEqualTo(2);
      assertThat(server.connections()).as("connections opened").isEqualTo(1);
    }
  }

  @Test
  void aGenerateDroppedOnAKeptConnectionIsRetriedByTheClientAndCountedAsARetry() throws Exception {
    try (RawServer server = new RawServer(droppedAfterOne(GENERATED))) {
      OllamaConfig config = config(server.uri(), Map.of());
      PrometheusRegistry registry = new PrometheusRegistry();
      OllamaMetrics metrics = new OllamaMetrics(new LabelGuard(100, 128), config, Ticker.system());
      metrics.sets().forEach(set -> set.collectors().forEach(registry::register));
      try (OllamaClient client = new OllamaClient(config, metrics, System::nanoTime)) {
        assertThat(client.list()).isEmpty();

        assertThat(client.generate(GenerateRequest.builder("m:1b", "hi").build()).text())
            .isEqualTo("hi");

        assertThat(server.requests()).as("requests the server read").isEqualTo(3);
        assertThat(server.connections()).as("connections opened").isEqualTo(2);
        assertThat(ClientFixture.scrape(registry))
            .contains("tinyllm_retries_total{error_type=\"connection\",model=\"m:1b\"} 1.0\n");
      }
    }
  }

  @Test
  void aGetDroppedOnAKeptConnectionIsSentOnceMoreOnAFreshOne() throws Exception {
    try (RawServer server = new RawServer(droppedAfterOne(TAGS));
        OllamaClient client = OllamaClient.create(config(server.uri(), Map.of()))) {
      assertThat(client.list()).isEmpty();
      assertThat(client.list()).isEmpty();

      assertThat(server.requests()).as("requests the server read").isEqualTo(3);
      assertThat(server.connections()).as("connections opened").isEqualTo(2);
    }
  }

  @Test
  void anInterruptEndsACallThatWaitsOnASilentServerAndClosesItsConnection() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/tags",
                    (exchange, s) -> {
                      asked.countDown();
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                      }
                      exchange.getResponseHeaders().set("Content-Type", "application/json");
                      exchange.sendResponseHeaders(200, 0);
                      OutputStream out = exchange.getResponseBody();
                      // the client closed the connection: one write may still be buffered
                      for (int i = 0; i < 1000; i++) {
                        out.write(" ".repeat(10_000).getBytes(StandardCharsets.UTF_8));
                        out.flush();
                      }
                    }));
        OllamaClient client = OllamaClient.create(config(server.uri(), Map.of()))) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
      Thread caller =
          new Thread(
              () -> {
                failure.set(catchThrowable(client::list));
                stillInterrupted.set(Thread.currentThread().isInterrupted());
              });
      caller.start();
      assertThat(asked.await(10, TimeUnit.SECONDS)).as("the server got the request").isTrue();

      caller.interrupt();
      caller.join(TimeUnit.SECONDS.toMillis(10));

      assertThat(caller.isAlive()).as("the call ended").isFalse();
      assertThat(failure.get())
          .isInstanceOf(CancelledException.class)
          .hasMessage(Http1Exchange.INTERRUPTED);
      assertThat(stillInterrupted.get()).as("the caller's interrupt flag").isTrue();
      release.countDown();
      assertThat(server.awaitHangUp(Duration.ofSeconds(10)))
          .as("the interrupted call's connection was closed")
          .isTrue();
    } finally {
      release.countDown();
    }
  }

  @Test
  void aCallOnAnInterruptedThreadIsNotSent() {
    try (HostileServer server =
            HostileServer.start(Map.of("/api/tags", HostileServer.json(200, TAGS)));
        OllamaClient client = OllamaClient.create(config(server.uri(), Map.of()))) {
      Thread.currentThread().interrupt();
      Throwable failure;
      try {
        failure = catchThrowable(client::list);
      } finally {
        Thread.interrupted();
      }
      assertThat(failure).isInstanceOf(CancelledException.class);
      assertThat(server.hits("/api/tags")).isZero();
    }
  }

  @Test
  void aFleetCallsItsPlainHttpServerItselfAndOnlyItsHttpsServerThroughTheJdkClient()
      throws IOException {
    int refusing;
    try (ServerSocket socket = new ServerSocket(0)) {
      refusing = socket.getLocalPort();
    }
    // the JDK client names itself in a User-Agent header; the client's own connection sends none
    List<String> agents = new CopyOnWriteArrayList<>();
    try (HostileServer plain =
        HostileServer.start(
            Map.of(
                "/api/tags",
                (exchange, s) -> {
                  agents.add(String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
                  HostileServer.json(200, TAGS).handle(exchange, s);
                }))) {
      Map<String, String> all = new HashMap<>(ClientFixture.testDefaults());
      all.put(OllamaConfig.HOSTS, plain.uri() + ",https://127.0.0.1:" + refusing);
      OllamaConfig config = OllamaConfig.from(Settings.of(all), Map.of());
      long before = httpClientThreads();
      try (OllamaClient client = OllamaClient.create(config)) {
        // a fleet's list asks every server and skips the one that cannot be reached
        assertThat(client.list()).isEmpty();
        assertThat(agents).as("the plain-HTTP server's callers").containsExactly("null");
        assertThat(httpClientThreads() - before)
            .as("HttpClient threads once the https server was asked")
            .isEqualTo(1);
      }
    }
  }

  @Test
  void errorAnswersFailAsThroughTheJdkClient() {
    Map<String, HostileServer.Handler> answers = new HashMap<>();
    answers.put("/api/show", HostileServer.json(404, "{\"error\":\"model 'm:1b' not found\"}"));
    answers.put("/api/tags", HostileServer.json(500, "{\"error\":\"disk on fire\"}"));
    answers.put("/api/ps", HostileServer.json(503, "{\"error\":\"server busy\"}"));
    answers.put("/api/version", HostileServer.json(429, "{\"error\":\"slow down\"}"));
    answers.put("/api/delete", HostileServer.json(400, "{\"error\":\"invalid model name\"}"));
    answers.put(
        "/api/copy",
        (exchange, s) -> {
          // a redirect is not followed: its status is the answer
          exchange.getResponseHeaders().set("Location", s.uri() + "/api/tags");
          exchange.sendResponseHeaders(307, -1);
        });
    try (HostileServer server = HostileServer.start(answers)) {
      OllamaConfig config = config(server.uri(), Map.of(OllamaConfig.RETRY_MAX_ATTEMPTS, "1"));
      List<Consumer<OllamaClient>> calls =
          List.of(
              c -> c.show("m:1b"),
              OllamaClient::list,
              OllamaClient::running,
              OllamaClient::version,
              c -> c.delete("m:1b"),
              c -> c.copy("m:1b", "n:1b"));
      List<Throwable> ours = failures(OllamaClient.create(config), calls);
      List<Throwable> jdk = failures(OllamaClient.createOnJdkClient(config), calls);
      for (int i = 0; i < calls.size(); i++) {
        assertThat(ours.get(i)).isInstanceOf(LlmException.class);
        assertThat(ours.get(i).getClass()).as("call %d", i).isEqualTo(jdk.get(i).getClass());
        assertThat(ours.get(i)).as("call %d", i).hasMessage(jdk.get(i).getMessage());
      }
      assertThat(server.hits("/api/tags")).as("the redirect's target was not asked").isEqualTo(2);
    }
  }

  private static long httpClientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith("HttpClient-") && name.endsWith("-SelectorManager"))
        .count();
  }

  private static List<Throwable> failures(OllamaClient client, List<Consumer<OllamaClient>> calls) {
    try (client) {
      List<Throwable> failures = new ArrayList<>();
      for (Consumer<OllamaClient> call : calls) {
        failures.add(catchThrowable(() -> call.accept(client)));
      }
      return failures;
    }
  }

  /**
   * Scripts of a server whose first connection answers one request, then reads the next and drops
   * it unanswered (a server that took the request and went away); the later ones answer {@code
   * body} to every request.
   */
  private static List<Consumer<RawServer.Connection>> droppedAfterOne(String body) {
    return List.of(
        connection -> {
          connection.answer(200, TAGS);
          connection.readOne();
        },
        connection -> {
          while (connection.answer(200, body)) {}
        });
  }

  private static OllamaConfig config(URI host, Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(ClientFixture.testDefaults());
    all.putAll(settings);
    all.put(OllamaConfig.HOST, host.toString());
    return OllamaConfig.from(Settings.of(all), Map.of());
  }

  /**
   * A server of raw sockets whose every connection follows a script (the last script serves the
   * connections after it), for what the JDK's HTTP server does not let a test do: close a
   * kept-alive connection between two requests.
   */
  private static final class RawServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Consumer<Connection>> scripts;
    private final List<CountDownLatch> closed = new ArrayList<>();
    private final List<Socket> accepted = new ArrayList<>(); // guarded by itself
    private final Thread acceptor;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int connections; // written by the acceptor only

    RawServer(List<Consumer<Connection>> scripts) throws IOException {
      this.socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
      this.scripts = scripts;
      for (int i = 0; i < scripts.size(); i++) {
        closed.add(new CountDownLatch(1));
      }
      this.acceptor = new Thread(this::accept, "raw-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    int connections() {
      return connections;
    }

    int requests() {
      return requests.get();
    }

    void awaitClosed(int connection) throws InterruptedException {
      assertThat(closed.get(connection).await(10, TimeUnit.SECONDS))
          .as("connection %d closed by the server", connection)
          .isTrue();
    }

    private void accept() {
      while (!socket.isClosed()) {
        Socket s;
        try {
          s = socket.accept();
        } catch (IOException e) {
          return;
        }
        int index = Math.min(connections, scripts.size() - 1);
        connections = connections + 1;
        synchronized (accepted) {
          accepted.add(s);
        }
        Thread t =
            new Thread(
                () -> {
                  try (Connection c = new Connection(s)) {
                    scripts.get(index).accept(c);
                  } finally {
                    closed.get(index).countDown();
                  }
                },
                "raw-server-connection");
        t.setDaemon(true);
        t.start();
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (accepted) {
        for (Socket s : accepted) {
          s.close();
        }
      }
    }

    /** One accepted connection. */
    private final class Connection implements AutoCloseable {
      private final Socket socket;

      Connection(Socket socket) {
        this.socket = socket;
      }

      /**
       * Reads one request (head and {@code Content-Length} body) and answers {@code body} with
       * {@code status}; false if the client closed the connection instead.
       */
      boolean answer(int status, String body) {
        try {
          InputStream in = socket.getInputStream();
          int length = 0;
          for (String line; !(line = line(in)).isEmpty(); ) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(line.substring(15).trim());
            }
          }
          in.readNBytes(length);
          requests.incrementAndGet();
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          String head =
              "HTTP/1.1 "
                  + status
                  + " X\r\nContent-Type: application/json\r\nContent-Length: "
                  + bytes.length
                  + "\r\n\r\n";
          OutputStream out = socket.getOutputStream();
          out.write(head.getBytes(StandardCharsets.ISO_8859_1));
          out.write(bytes);
          out.flush();
          return true;
        } catch (IOException e) {
          return false;
        }
      }

      /** Reads one request and answers nothing (the connection is closed after the script). */
      void readOne() {
        try {
          InputStream in = socket.getInputStream();
          int length = 0;
          for (String line; !(line = line(in)).isEmpty(); ) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(line.substring(15).trim());
            }
          }
          in.readNBytes(length);
          requests.incrementAndGet();
        } catch (IOException e) {
          // the client went away first: nothing read
        }
      }

      /** One line of a request's head; at the end of the stream, an I/O failure. */
      private String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
          if (b < 0) {
            throw new IOException("the client closed the connection");
          }
          if (line.size() > 8192) {
            throw new IOException("a request line over 8 KiB");
          }
          line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }

      @Override
      public void close() {
        try {
          socket.close();
        } catch (IOException e) {
          // closing is all that was wanted
        }
      }
    }
  }
}
