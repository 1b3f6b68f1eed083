package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Injected faults, as a client sees them over real HTTP. */
class OllamaSimulatorFaultsTest {
  /** How long a wait for what another thread brings about may take: generous on a busy CI. */
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static final String GENERATE = "{\"model\":\"fast:1b\",\"prompt\":\"Tell me something\"}";
  private static final String GENERATE_WHOLE =
      "{\"model\":\"fast:1b\",\"prompt\":\"Tell me something\",\"stream\":false}";

  private OllamaSimulator sim;
  private SimClient client;

  @BeforeEach
  void start() throws Exception {
    sim = OllamaSimulator.start(config().build());
    client = new SimClient(sim.baseUri());
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private static SimulatorConfig.Builder config() {
    return SimulatorConfig.builder()
        .faultSeed(7)
        .cannedAnswer("Tell me something", "one two three four five six seven eight")
        .model(
            SimulatedModel.completion("fast:1b")
                .loadTime(Duration.ZERO)
                .timeToFirstToken(Duration.ZERO)
                .tokensPerSecond(10_000)
                .build())
        .model(
            SimulatedModel.completion("slow:1b")
                .loadTime(Duration.ZERO)
                .timeToFirstToken(Duration.ZERO)
                .tokensPerSecond(10)
                .build());
  }

  @Test
  void failNextFailsExactlyThatManyRequests() {
    sim.faults().failNext(2, 503, "overloaded");
    SimClient.Reply first = client.post("/api/generate", GENERATE_WHOLE);
    SimClient.Reply second = client.post("/api/chat", "{\"model\":\"fast:1b\",\"messages\":[]}");
    SimClient.Reply third = client.post("/api/generate", GENERATE_WHOLE);
    assertThat(first.status()).isEqualTo(503);
    assertThat(first.body()).isEqualTo("{\"error\":\"overloaded\"}");
    assertThat(second.status()).isEqualTo(503);
    assertThat(third.status()).isEqualTo(200);
    assertThat(sim.stats().injectedFaults()).isEqualTo(2);
  }

  @Test
  void faultsOnlyHitTheirScope() {
    sim.faults().failNext(1, 500);
    assertThat(client.get("/api/tags").status()).isEqualTo(200);
    assertThat(client.get("/api/version").status()).isEqualTo(200);
    assertThat(client.post("/api/generate", GENERATE_WHOLE).status()).isEqualTo(500);

    sim.faults().scope(Endpoint.TAGS).failNext(1, 502);
    assertThat(client.post("/api/generate", GENERATE_WHOLE).status()).isEqualTo(200);
    assertThat(client.get("/api/tags").status()).isEqualTo(502);
    assertThat(client.get("/api/tags").status()).isEqualTo(200);
  }

  @Test
  void errorRateIsSeededAndRepeatable() throws Exception {
    sim.faults().errorRate(0.5);
    List<Integer> statuses = statuses(client, 40);
    long failures = statuses.stream().filter(s -> s == 500).count();
    assertThat(failures).isBetween(8L, 32L);
    assertThat(statuses).containsOnly(200, 500);

    try (OllamaSimulator twin = OllamaSimulator.start(config().build())) {
      twin.faults().errorRate(0.5);
      assertThat(statuses(new SimClient(twin.baseUri()), 40)).isEqualTo(statuses);
    }

    sim.faults().errorRate(1.0, 500, "always");
    assertThat(client.post("/api/generate", GENERATE_WHOLE).error()).isEqualTo("always");
    sim.faults().clear();
    assertThat(client.post("/api/generate", GENERATE_WHOLE).status()).isEqualTo(200);
  }

  @Test
  void midStreamErrorSendsAnErrorLineAfterStatus200() throws Exception {
    sim.faults().midStreamError(3, "llama runner process has terminated", 1);
    SimClient.Streamed streamed = client.stream("/api/generate", GENERATE);
    assertThat(streamed.status()).isEqualTo(200);
    assertThat(streamed.failure()).isNull();
    assertThat(streamed.lines()).hasSize(4);
    assertThat(SimClient.parse(streamed.lines().get(2)).get("done").asBoolean()).isFalse();
    assertThat(streamed.lines().get(3))
        .isEqualTo("{\"error\":\"llama runner process has terminated\"}");

    // one-shot: the next request is fine
    List<String> next = client.stream("/api/generate", GENERATE).lines();
    assertThat(SimClient.parse(next.get(next.size() - 1)).get("done").asBoolean()).isTrue();
  }

  @Test
  void midStreamErrorBeforeAnyChunkIsA500() {
    sim.faults().midStreamError(0, "boom");
    SimClient.Reply streamed = client.post("/api/generate", GENERATE);
    assertThat(streamed.status()).isEqualTo(500);
    // Ollama's streamResponse sets the type before c.JSON, so it has no charset
    assertThat(streamed.contentType()).isEqualTo("application/json");
    assertThat(streamed.error()).isEqualTo("boom");

    SimClient.Reply whole = client.post("/api/generate", GENERATE_WHOLE);
    assertThat(whole.status()).isEqualTo(500);
    assertThat(whole.contentType()).isEqualTo("application/json; charset=utf-8");
    assertThat(whole.error()).isEqualTo("boom");
  }

  @Test
  void errorCountBeyondTheAnswerStillFiresBeforeTheFinalChunk() throws Exception {
    sim.faults().midStreamError(1000, "late");
    List<String> lines = client.stream("/api/generate", GENERATE).lines();
    assertThat(lines.get(lines.size() - 1)).isEqualTo("{\"error\":\"late\"}");
    assertThat(lines).noneMatch(l -> l.contains("\"done\":true"));
  }

  @Test
  void droppedConnectionCutsTheStreamAbruptly() throws Exception {
    sim.faults().dropConnectionAfter(2, 1);
    SimClient.Streamed streamed = client.stream("/api/generate", GENERATE);
    assertThat(streamed.status()).isEqualTo(200);
    assertThat(streamed.failure()).isNotNull();
    assertThat(streamed.lines()).hasSizeLessThanOrEqualTo(2);
    assertThat(streamed.lines()).noneMatch(l -> l.contains("\"done\":true"));

    // one-shot, and the server still works
    SimClient.Streamed next = client.stream("/api/generate", GENERATE);
    assertThat(next.failure()).isNull();
    assertThat(next.lines().get(next.lines().size() - 1)).contains("\"done\":true");
  }

  @Test
  void droppedConnectionOnAWholeAnswerSendsNothing() {
    sim.faults().dropConnectionAfter(0, 1);
    assertThatThrownBy(() -> client.post("/api/generate", GENERATE_WHOLE))
        .hasRootCauseInstanceOf(java.io.IOException.class);
  }

  @Test
  void malformedLineBreaksJsonButTheStreamGoesOn() throws Exception {
    sim.faults().malformedLineAfter(1, 1);
    SimClient.Streamed streamed = client.stream("/api/generate", GENERATE);
    assertThat(streamed.failure()).isNull();
    int malformed = 0;
    for (String line : streamed.lines()) {
      try {
        SimClient.MAPPER.readTree(line);
      } catch (java.io.IOException e) {
        malformed++;
      }
    }
    assertThat(malformed).isEqualTo(1);
    assertThatThrownBy(() -> SimClient.parse(streamed.lines().get(1)))
        .isInstanceOf(java.io.UncheckedIOException.class);
    assertThat(streamed.lines().get(streamed.lines().size() - 1)).contains("\"done\":true");
  }

  @Test
  void slowFirstTokenDelaysTheAnswerThenGoesOn() throws Exception {
    sim.faults().slowFirstToken(Duration.ofMillis(300), 1);
    SimClient.Streamed streamed = client.stream("/api/generate", GENERATE);
    assertThat(streamed.firstLineNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
    assertThat(streamed.failure()).isNull();
    assertThat(streamed.lines().get(streamed.lines().size() - 1)).contains("\"done\":true");
    SimClient.Streamed next = client.stream("/api/generate", GENERATE);
    assertThat(next.firstLineNanos()).isLessThan(Duration.ofMillis(250).toNanos());
  }

  @Test
  void stallHoldsTheStreamThenDropsIt() throws Exception {
    sim.faults().stallAfter(1, Duration.ofMillis(300));
    long start = System.nanoTime();
    SimClient.Streamed streamed = client.stream("/api/generate", GENERATE);
    long elapsed = System.nanoTime() - start;
    assertThat(streamed.status()).isEqualTo(200);
    assertThat(streamed.lines()).hasSizeLessThanOrEqualTo(1);
    assertThat(streamed.failure()).isNotNull();
    assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(280).toNanos());
  }

  @Test
  void hungRequestTimesOutTheClientAndCloseReleasesIt() throws Exception {
    sim.faults().hang(Duration.ofSeconds(30));
    assertThatThrownBy(() -> client.open("/api/generate", GENERATE, Duration.ofMillis(300)))
        .isInstanceOf(HttpTimeoutException.class);
    CompletableFuture<Exception> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                client.open("/api/generate", GENERATE, Duration.ofSeconds(20)).body().close();
                return null;
              } catch (Exception e) {
                return e;
              }
            });
    // close only once the second request is held by the hang: closed earlier, the connection
    // would be refused and the test would see an IOException for the wrong reason
    assertThat(sim.stats().awaitInjectedFaults(2, WAIT)).as("2 faults injected").isTrue();
    long start = System.nanoTime();
    sim.close();
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(2).toNanos());
    // the held request is released at once: its connection is dropped, it does not wait 30 s
    assertThat(waiting.get(3, TimeUnit.SECONDS)).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void aClosingSimulatorAnswersNoRequestThatStillReachesIt() throws Exception {
    sim.faults().hang(Duration.ofSeconds(30), 1);
    try (Socket held = new Socket(sim.baseUri().getHost(), sim.port())) {
      send(held, "POST /api/generate", GENERATE_WHOLE);
      assertThat(sim.stats().awaitInjectedFaults(1, WAIT)).as("the request held").isTrue();
      // close()'s first step alone, so the port still accepts: the moment a client that sees its
      // request dropped and tries again at once may meet
      sim.stopServing();
      assertThat(endOf(held)).as("the held request dropped unanswered").isEqualTo(-1);
      try (Socket again = new Socket(sim.baseUri().getHost(), sim.port())) {
        // an answer that needs no wait (a wait is where a running request notices the close)
        send(again, "GET /api/version", "");
        assertThat(endOf(again)).as("an answer from a closing simulator").isEqualTo(-1);
      }
    }
  }

  /** Writes a request of {@code methodAndPath} with {@code json} as its body on {@code socket}. */
  private static void send(Socket socket, String methodAndPath, String json) throws IOException {
    socket.setSoTimeout((int) WAIT.toMillis());
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(
        (methodAndPath
                + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                + "\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /** -1 once {@code socket} was closed by its peer, whether by an end of stream or a reset. */
  private static int endOf(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read();
    } catch (SocketException reset) {
      return -1;
    }
  }

  @Test
  void closeReleasesSlowGenerationsQuickly() throws Exception {
    HttpResponse<InputStream> response =
        client.open(
            "/api/generate", "{\"model\":\"slow:1b\",\"prompt\":\"x\"}", Duration.ofSeconds(20));
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    assertThat(reader.readLine()).contains("\"done\":false");
    long start = System.nanoTime();
    sim.close();
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(2).toNanos());
    assertThatThrownBy(
            () -> {
              while (reader.readLine() != null) {
                // drain until the dropped connection shows
              }
              throw new AssertionError("stream ended normally");
            })
        .isInstanceOf(java.io.IOException.class);
  }

  private static List<Integer> statuses(SimClient client, int count) {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      statuses.add(client.post("/api/generate", GENERATE_WHOLE).status());
    }
    return statuses;
  }
}
