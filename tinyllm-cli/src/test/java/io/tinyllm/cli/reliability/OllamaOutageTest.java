package io.tinyllm.cli.reliability;

import static io.tinyllm.cli.reliability.Fixtures.MODEL;
import static io.tinyllm.cli.reliability.Fixtures.failure;
import static io.tinyllm.cli.reliability.Fixtures.request;
import static io.tinyllm.cli.reliability.Fixtures.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.metrics.testing.FreePorts;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Ollama down at start, going down mid-run and coming back on the same port, through the wiring the
 * commands use (queue → cache → client): typed errors, retries, breaker transitions and every count
 * exact.
 */
class OllamaOutageTest {

  private static CompletableFuture<String> ask(ReliabilityAccess.App app, String prompt) {
    LlmClient client = app.get(LlmClient.class);
    return app.get(RequestQueue.class)
        .submit(Priority.NORMAL, () -> client.generate(request(prompt)).text());
  }

  @Test
  void downAtStartOpensTheBreakerAndRecoversWhenOllamaComesBack() throws Exception {
    int port = FreePorts.find();
    // the breaker stays open an hour on the wall clock and until the test moves this clock past
    // the open duration: on a loaded machine it cannot half-open before it is seen open
    FakeTicker clock = new FakeTicker();
    try (ReliabilityAccess.App app =
        Fixtures.start(
            Fixtures.settings("127.0.0.1:" + port, "ollama.circuit-breaker.open-duration", "1h"),
            clock)) {
      // call 1: three refused attempts, retried twice, one connection error
      assertThat(failure(ask(app, "first"))).isInstanceOf(LlmConnectionException.class);
      Samples s = scrape(app);
      assertThat(s.count("tinyllm_requests_total", "model", MODEL)).isEqualTo(1);
      assertThat(s.count("tinyllm_errors_total", "error_type", "connection")).isEqualTo(1);
      assertThat(s.count("tinyllm_retries_total", "error_type", "connection")).isEqualTo(2);
      assertThat(s.count("tinyllm_circuit_breaker_failures_total", "model", MODEL)).isEqualTo(3);
      assertThat(s.sum("tinyllm_circuit_breaker_state", "model", MODEL)).isZero();

      // call 2: attempts 4 and 5 fail, the breaker opens, the third attempt is refused by it
      assertThat(failure(ask(app, "second"))).isInstanceOf(CircuitOpenException.class);
      s = scrape(app);
      assertThat(s.count("tinyllm_requests_total", "model", MODEL)).isEqualTo(2);
      assertThat(s.count("tinyllm_errors_total", "error_type", "connection")).isEqualTo(1);
      assertThat(s.count("tinyllm_errors_total", "error_type", "circuit_open")).isEqualTo(1);
      assertThat(s.count("tinyllm_retries_total", "error_type", "connection")).isEqualTo(4);
      assertThat(s.count("tinyllm_circuit_breaker_failures_total", "model", MODEL)).isEqualTo(5);
      assertThat(s.sum("tinyllm_circuit_breaker_state", "model", MODEL)).isEqualTo(2);
      assertThat(
              s.count(
                  "tinyllm_circuit_breaker_transitions_total",
                  "from_state",
                  "closed",
                  "to_state",
                  "open"))
          .isEqualTo(1);
      // failed calls store nothing; each lookup was a miss
      assertThat(s.count("tinyllm_cache_misses_total")).isEqualTo(2);
      assertThat(s.count("tinyllm_cache_stores_total")).isZero();
      assertThat(s.count("tinyllm_queue_outcomes_total", "outcome", "failed")).isEqualTo(2);

      try (OllamaSimulator sim = Fixtures.simulatorOn(port)) {
        clock.advance(Duration.ofHours(1).plusNanos(1));
        // the open duration has passed: the next call is the trial, and it closes the breaker
        assertThat(failure(ask(app, "first"))).isNull();
        s = scrape(app);
        assertThat(s.sum("tinyllm_circuit_breaker_state", "model", MODEL)).isZero();
        assertThat(
                s.count(
                    "tinyllm_circuit_breaker_transitions_total",
                    "from_state",
                    "open",
                    "to_state",
                    "half_open"))
            .isEqualTo(1);
        assertThat(
                s.count(
                    "tinyllm_circuit_breaker_transitions_total",
                    "from_state",
                    "half_open",
                    "to_state",
                    "closed"))
            .isEqualTo(1);
        assertThat(s.count("tinyllm_requests_total", "model", MODEL)).isEqualTo(3);
        assertThat(s.count("tinyllm_request_outcomes_total", "outcome", "success")).isEqualTo(1);
        assertThat(s.count("tinyllm_request_outcomes_total", "outcome", "error")).isEqualTo(2);
        // the answer is cached now: the same question again never reaches Ollama
        assertThat(failure(ask(app, "first"))).isNull();
        s = scrape(app);
        assertThat(s.count("tinyllm_cache_hits_total")).isEqualTo(1);
        assertThat(s.count("tinyllm_requests_total", "model", MODEL)).isEqualTo(3);
        assertThat(sim.stats().requestsForModel(MODEL)).isEqualTo(1);
        assertThat(s.count("tinyllm_queue_requests_total")).isEqualTo(4);
        assertThat(s.count("tinyllm_queue_outcomes_total")).isEqualTo(4);
      }
    }
  }

  @Test
  void goingDownMidCallFailsThatCallOnceAndTheNextServerIsUsedAtOnce() throws Exception {
    OllamaSimulator first = Fixtures.simulator();
    int port = first.port();
    try (ReliabilityAccess.App app =
        Fixtures.start(Fixtures.settings(first.baseUri().toString()))) {
      for (int i = 0; i < 5; i++) {
        assertThat(failure(ask(app, "before " + i))).isNull();
      }
      // one call hangs inside Ollama, then Ollama goes away under it
      first.faults().hang(Duration.ofSeconds(30), 1);
      CompletableFuture<String> inFlight = ask(app, "in flight");
      assertThat(first.stats().awaitInjectedFaults(1, Fixtures.WAIT))
          .as("the call to reach the server")
          .isTrue();
      first.close();
      assertThat(failure(inFlight)).isInstanceOf(LlmConnectionException.class);

      Samples s = scrape(app);
      assertThat(s.count("tinyllm_requests_total", "model", MODEL)).isEqualTo(6);
      assertThat(s.count("tinyllm_errors_total")).isEqualTo(1);
      assertThat(s.count("tinyllm_errors_total", "error_type", "connection")).isEqualTo(1);
      assertThat(s.count("tinyllm_retries_total", "error_type", "connection")).isEqualTo(2);
      assertThat(s.sum("tinyllm_active_requests")).isZero();
      // three failures in a row stay under the threshold of five: the breaker stays closed
      assertThat(s.sum("tinyllm_circuit_breaker_state", "model", MODEL)).isZero();

      try (OllamaSimulator second = Fixtures.simulatorOn(port)) {
        assertThat(failure(ask(app, "after"))).isNull();
        s = scrape(app);
        assertThat(s.count("tinyllm_requests_total", "model", MODEL)).isEqualTo(7);
        assertThat(s.count("tinyllm_request_outcomes_total", "outcome", "success")).isEqualTo(6);
        assertThat(s.count("tinyllm_request_outcomes_total", "outcome", "error")).isEqualTo(1);
        assertThat(s.count("tinyllm_queue_outcomes_total", "outcome", "completed")).isEqualTo(6);
        assertThat(s.count("tinyllm_queue_outcomes_total", "outcome", "failed")).isEqualTo(1);
        assertThat(second.stats().requestsForModel(MODEL)).isEqualTo(1);
      }
    }
  }
}
