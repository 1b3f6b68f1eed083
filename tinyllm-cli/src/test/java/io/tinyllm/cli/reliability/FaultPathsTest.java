package io.tinyllm.cli.reliability;

import static io.tinyllm.cli.reliability.Fixtures.MODEL;
import static io.tinyllm.cli.reliability.Fixtures.failure;
import static io.tinyllm.cli.reliability.Fixtures.request;
import static io.tinyllm.cli.reliability.Fixtures.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.error.LlmTimeoutException;
import io.tinyllm.api.error.MalformedResponseException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.error.ServerBusyException;
import io.tinyllm.api.error.StreamException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each Ollama fault end to end through the commands' wiring (queue → cache → client → simulator):
 * the typed error, retried or not, the breaker's count, exact request, error and retry counts, and
 * that a failed call stores nothing in the cache.
 */
class FaultPathsTest {
  private static OllamaSimulator sim;

  @BeforeAll
  static void startSimulator() {
    sim = Fixtures.simulator();
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  @AfterEach
  void clearFaults() {
    sim.faults().clear();
  }

  private static ReliabilityAccess.App app(String... overrides) {
    return Fixtures.start(Fixtures.settings(sim.baseUri().toString(), overrides));
  }

  private static CompletableFuture<String> ask(ReliabilityAccess.App app, GenerateRequest request) {
    LlmClient client = app.get(LlmClient.class);
    return app.get(RequestQueue.class)
        .submit(Priority.NORMAL, () -> client.generate(request).text());
  }

  private static CompletableFuture<String> stream(
      ReliabilityAccess.App app, GenerateRequest request, List<String> tokens) {
    LlmClient client = app.get(LlmClient.class);
    return app.get(RequestQueue.class)
        .submit(
            Priority.NORMAL,
            () -> client.generateStream(request, tokens::add).completion().join().text());
  }

  /** The counts every single-call fault test checks, for {@code MODEL}. */
  private static void assertCounts(
      Samples s, long requests, String errorType, long retries, long breakerFailures) {
    assertThat(s.count("tinyllm_requests_total", "model", MODEL))
        .as("requests")
        .isEqualTo(requests);
    if (errorType == null) {
      assertThat(s.count("tinyllm_errors_total")).as("errors").isZero();
    } else {
      assertThat(s.count("tinyllm_errors_total")).as("errors").isEqualTo(1);
      assertThat(s.count("tinyllm_errors_total", "error_type", errorType))
          .as("errors of type " + errorType)
          .isEqualTo(1);
    }
    assertThat(s.count("tinyllm_retries_total")).as("retries").isEqualTo(retries);
    assertThat(s.count("tinyllm_circuit_breaker_failures_total", "model", MODEL))
        .as("breaker failures")
        .isEqualTo(breakerFailures);
    assertThat(s.sum("tinyllm_circuit_breaker_state", "model", MODEL)).as("breaker").isZero();
    assertThat(s.sum("tinyllm_active_requests")).as("active").isZero();
  }

  @Test
  void serverErrorsAreRetriedUntilTheAnswerComes() {
    try (ReliabilityAccess.App app = app()) {
      sim.faults().failNext(2, 500);
      assertThat(failure(ask(app, request("500 then fine")))).isNull();
      Samples s = scrape(app);
      assertCounts(s, 1, null, 2, 2);
      assertThat(s.count("tinyllm_retries_total", "error_type", "server_error")).isEqualTo(2);
      assertThat(s.count("tinyllm_cache_stores_total")).isEqualTo(1);
      assertThat(s.count("tinyllm_queue_outcomes_total", "outcome", "completed")).isEqualTo(1);
    }
  }

  @Test
  void busyOnEveryAttemptFailsTypedAndStoresNothing() {
    try (ReliabilityAccess.App app = app()) {
      sim.faults().failNext(3, 503, "server busy, please try again.");
      assertThat(failure(ask(app, request("busy")))).isInstanceOf(ServerBusyException.class);
      Samples s = scrape(app);
      assertCounts(s, 1, "server_busy", 2, 3);
      assertThat(s.count("tinyllm_queue_outcomes_total", "outcome", "failed")).isEqualTo(1);

      // nothing was stored: the same request asks the model again, and now succeeds
      assertThat(failure(ask(app, request("busy")))).isNull();
      s = scrape(app);
      assertThat(s.count("tinyllm_cache_hits_total")).isZero();
      assertThat(s.count("tinyllm_cache_misses_total")).isEqualTo(2);
      assertThat(s.count("tinyllm_requests_total", "model", MODEL)).isEqualTo(2);
    }
  }

  @Test
  void anUnknownModelIsNotRetriedAndDoesNotCountForTheBreaker() {
    try (ReliabilityAccess.App app = app()) {
      long before = sim.stats().requests(Endpoint.GENERATE);
      assertThat(failure(ask(app, request("nope:1b", "hi"))))
          .isInstanceOf(ModelNotFoundException.class)
          .hasMessageContaining("nope:1b");
      assertThat(sim.stats().requests(Endpoint.GENERATE) - before).isEqualTo(1);
      Samples s = scrape(app);
      assertThat(
              s.count("tinyllm_errors_total", "error_type", "model_not_found", "model", "nope:1b"))
          .isEqualTo(1);
      assertThat(s.count("tinyllm_retries_total")).isZero();
      assertThat(s.count("tinyllm_circuit_breaker_failures_total")).isZero();
    }
  }

  @Test
  void malformedJsonIsNotRetriedButCountsForTheBreaker() {
    try (ReliabilityAccess.App app = app()) {
      sim.faults().malformedLineAfter(0, 1);
      assertThat(failure(ask(app, request("garbled"))))
          .isInstanceOf(MalformedResponseException.class);
      assertCounts(scrape(app), 1, "malformed_response", 0, 1);
    }
  }

  @Test
  void anErrorLineMidStreamEndsItWithoutRetryAndNothingIsCached() {
    try (ReliabilityAccess.App app = app()) {
      // a runner crash after output (a different text would be a non-retried server_rejected)
      sim.faults()
          .midStreamError(3, "an error was encountered while running the model: runner crashed", 1);
      List<String> tokens = new CopyOnWriteArrayList<>();
      assertThat(failure(stream(app, request("crash mid-stream"), tokens)))
          .isInstanceOf(StreamException.class)
          .hasMessageContaining("runner crashed");
      assertThat(tokens).hasSize(3);
      assertCounts(scrape(app), 1, "stream_error", 0, 1);

      List<String> again = new CopyOnWriteArrayList<>();
      assertThat(failure(stream(app, request("crash mid-stream"), again))).isNull();
      Samples s = scrape(app);
      assertThat(s.count("tinyllm_cache_hits_total")).isZero();
      assertThat(s.count("tinyllm_requests_total", "request_type", "generate_stream")).isEqualTo(2);
    }
  }

  @Test
  void aConnectionDroppedMidStreamIsAStreamErrorNotRetried() {
    try (ReliabilityAccess.App app = app()) {
      sim.faults().dropConnectionAfter(3, 1);
      List<String> tokens = new CopyOnWriteArrayList<>();
      assertThat(failure(stream(app, request("dropped"), tokens)))
          .isInstanceOf(StreamException.class);
      assertThat(tokens).hasSize(3);
      assertCounts(scrape(app), 1, "stream_error", 0, 1);
    }
  }

  @Test
  void aHungServerHitsTheRequestTimeoutOnEveryAttempt() {
    try (ReliabilityAccess.App app = app("ollama.timeout.request", "300ms")) {
      sim.faults().hang(Duration.ofSeconds(3), 3);
      assertThat(failure(ask(app, request("hung"))))
          .isInstanceOf(LlmTimeoutException.class)
          .hasMessageContaining("ollama.timeout.request");
      Samples s = scrape(app);
      assertCounts(s, 1, "timeout", 2, 3);
      assertThat(s.count("tinyllm_retries_total", "error_type", "timeout")).isEqualTo(2);
    }
  }

  @Test
  void aStreamStallingAfterItsFirstTokensHitsTheIdleTimeoutAndIsNotRetried() {
    try (ReliabilityAccess.App app = app("ollama.timeout.stream-idle", "300ms")) {
      sim.faults().stallAfter(2, Duration.ofSeconds(3), 1);
      List<String> tokens = new CopyOnWriteArrayList<>();
      assertThat(failure(stream(app, request("stalls"), tokens)))
          .isInstanceOf(LlmTimeoutException.class)
          .hasMessageContaining("ollama.timeout.stream-idle");
      assertThat(tokens).hasSize(2);
      assertCounts(scrape(app), 1, "timeout", 0, 1);
    }
  }

  @Test
  void aServerThatNeverAcceptsHitsTheConnectTimeout() throws Exception {
    // a loopback listener whose accept queue is full: the kernel drops further SYNs, so a
    // connect neither succeeds nor is refused
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> fillers = new ArrayList<>();
      try {
        boolean stalled = false;
        for (int i = 0; i < 64 && !stalled; i++) {
          Socket socket = new Socket();
          fillers.add(socket);
          try {
            socket.connect(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 200);
          } catch (SocketTimeoutException e) {
            stalled = true;
          }
        }
        assertThat(stalled).as("the accept queue filled up").isTrue();
        try (ReliabilityAccess.App app =
            Fixtures.start(
                Fixtures.settings(
                    "127.0.0.1:" + full.getLocalPort(), "ollama.timeout.connect", "300ms"))) {
          assertThat(failure(ask(app, request("never connects"))))
              .isInstanceOf(LlmTimeoutException.class)
              .hasMessageContaining("ollama.timeout.connect");
          Samples s = scrape(app);
          assertCounts(s, 1, "timeout", 2, 3);
        }
      } finally {
        for (Socket socket : fillers) {
          closeQuietly(socket);
        }
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a test socket
    }
  }

  @Test
  void onTheCommandLineAFailedCallIsOneLineWithoutAStackTrace() {
    sim.faults().failNext(3, 503, "server busy, please try again.");
    ReliabilityAccess.Result result =
        ReliabilityAccess.run(
            "run", "--ollama", sim.baseUri().toString(), "--model", MODEL, "busy now");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().lines().filter(l -> l.startsWith("tinyllm: ")).count()).isEqualTo(1);
    assertThat(result.err()).contains("busy").doesNotContain("\tat ").doesNotContain("Exception:");
    assertThat(result.out()).isEmpty();
  }
}
