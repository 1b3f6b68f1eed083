package io.tinyllm.proxy;

import static io.tinyllm.proxy.FleetFixture.chat;
import static io.tinyllm.proxy.FleetFixture.quick;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A backend that fails before the first byte of an answer hands the request to another; one that
 * fails after bytes reached the client breaks that client's answer, and nothing is sent twice.
 */
class FleetFailoverTest {
  private static final String QWEN = "qwen2.5:0.5b";

  @Test
  void a503BeforeTheFirstByteIsAnsweredByAnotherBackend() {
    try (FleetFixture f = FleetFixture.of(2)) {
      OllamaSimulator b = loadedOnB(f);
      b.faults().scope(Endpoint.CHAT).failNext(1, 503, "server busy, please try again.");

      HttpResponse<String> answer = f.post("/api/chat", chat(QWEN, "s", "hi"));

      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).contains("\"done\":true");
      assertThat(b.stats().requests(Endpoint.CHAT)).isEqualTo(1);
      assertThat(f.sim('a').stats().requests(Endpoint.CHAT)).isEqualTo(1);
      assertThat(f.samples("tinyllm_proxy_routing_decisions_total"))
          .containsExactly(
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"only\"} 1.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"b\",reason=\"loaded\"} 1.0");
      assertThat(f.samples("tinyllm_proxy_backend_failovers_total"))
          .containsExactly("tinyllm_proxy_backend_failovers_total{backend=\"b\"} 1.0");
      assertThat(f.samples("tinyllm_proxy_backend_errors_total"))
          .containsExactly(
              "tinyllm_proxy_backend_errors_total{backend=\"b\",error_type=\"server_busy\"} 1.0");
      assertThat(f.allSamples("tinyllm_proxy_backend_requests_total"))
          .containsExactly(
              "tinyllm_proxy_backend_requests_total{backend=\"a\"} 1.0",
              "tinyllm_proxy_backend_requests_total{backend=\"b\"} 1.0");
      // the caller's call succeeded once: the failed attempt is not an error of the call
      assertThat(f.samples("tinyllm_request_outcomes_total"))
          .containsExactly(
              "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"success\"} 1.0");
    }
  }

  @Test
  void aBackendThatRefusesConnectionsIsPassedOver() {
    try (FleetFixture f = FleetFixture.of(2)) {
      f.sim('b').close(); // still in the fleet: no health check ran since

      for (int i = 0; i < 4; i++) {
        assertThat(f.get("/api/version").statusCode()).isEqualTo(200);
      }

      assertThat(f.sim('a').stats().requests(Endpoint.VERSION)).isEqualTo(4);
      assertThat(f.samples("tinyllm_proxy_routing_decisions_total"))
          .containsExactly(
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"least_busy\"} 2.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"only\"} 2.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"b\",reason=\"least_busy\"} 2.0");
      assertThat(f.samples("tinyllm_proxy_backend_failovers_total"))
          .containsExactly("tinyllm_proxy_backend_failovers_total{backend=\"b\"} 2.0");
      assertThat(f.samples("tinyllm_proxy_backend_errors_total"))
          .containsExactly(
              "tinyllm_proxy_backend_errors_total{backend=\"b\",error_type=\"connection\"} 2.0");
    }
  }

  @Test
  void aBackendThatLostTheModelSinceItsHealthCheckHandsTheCallOn() {
    try (FleetFixture f = FleetFixture.of(2)) {
      assertThat(f.sim('a').removeModel(QWEN)).isTrue(); // the fleet still thinks a has it

      HttpResponse<String> answer = f.post("/api/chat", chat(QWEN, "s", "hi"));
      HttpResponse<String> nowhere = f.post("/api/chat", chat("missing", "s", "hi"));

      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(f.sim('b').stats().requestsForModel(QWEN)).isEqualTo(1);
      assertThat(nowhere.statusCode()).isEqualTo(404);
      assertThat(nowhere.body()).contains("not found");
      // a model no backend has: each is asked once, and the last one's 404 is the answer
      assertThat(f.samples("tinyllm_proxy_backend_failovers_total"))
          .containsExactly(
              "tinyllm_proxy_backend_failovers_total{backend=\"a\"} 1.0",
              "tinyllm_proxy_backend_failovers_total{backend=\"b\"} 1.0");
      assertThat(f.samples("tinyllm_proxy_backend_errors_total")).isEmpty();
    }
  }

  @Test
  void aFailoverNeverEndsOnABackendOutOfTheFleetWhileAnotherIsIn() {
    try (FleetFixture f =
        new FleetFixture(
            List.of(quick().build(), quick().build()), Map.of(FleetConfig.EJECT_AFTER, "1"))) {
      f.sim('b').close();
      f.fleet.probe();
      assertThat(f.allSamples("tinyllm_proxy_backend_up"))
          .containsExactly(
              "tinyllm_proxy_backend_up{backend=\"a\"} 1.0",
              "tinyllm_proxy_backend_up{backend=\"b\"} 0.0");

      HttpResponse<String> nowhere = f.post("/api/chat", chat("missing", "s", "hi"));

      // a's own answer, not b's connection failure
      assertThat(nowhere.statusCode()).isEqualTo(404);
      assertThat(nowhere.body()).contains("not found");
      assertThat(f.allSamples("tinyllm_proxy_backend_requests_total"))
          .containsExactly(
              "tinyllm_proxy_backend_requests_total{backend=\"a\"} 1.0",
              "tinyllm_proxy_backend_requests_total{backend=\"b\"} 0.0");
    }
  }

  @Test
  void theLastBackendsFailureReachesTheClient() {
    try (FleetFixture f = FleetFixture.of(2)) {
      f.sim('a').faults().scope(Endpoint.VERSION).failNext(1, 503, "busy a");
      f.sim('b').faults().scope(Endpoint.VERSION).failNext(1, 503, "busy b");

      HttpResponse<String> answer = f.get("/api/version");

      assertThat(answer.statusCode()).isEqualTo(503);
      assertThat(answer.body()).isEqualTo("{\"error\":\"busy b\"}");
      assertThat(f.samples("tinyllm_proxy_backend_failovers_total"))
          .containsExactly("tinyllm_proxy_backend_failovers_total{backend=\"a\"} 1.0");
    }
  }

  @Test
  void killingABackendMidRunLosesNoRequestThatHadNotStartedStreaming() throws Exception {
    try (FleetFixture f = FleetFixture.of(2)) {
      OllamaSimulator b = loadedOnB(f);
      // one answer streaming from b when it dies, three that b holds before their first byte
      b.faults().stallAfter(1, Duration.ofSeconds(30), 1);
      HttpResponse<InputStream> streaming =
          f.http.send(
              HttpRequest.newBuilder(f.uri("/api/chat"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          chat(QWEN, "s", "stream").replace("\"stream\":false", "\"stream\":true")))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(streaming.body(), StandardCharsets.UTF_8));
      assertThat(lines.readLine()).contains("\"done\":false");
      b.faults().hang(Duration.ofSeconds(30), 3);
      List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        waiting.add(
            f.http.sendAsync(
                HttpRequest.newBuilder(f.uri("/api/chat"))
                    .POST(HttpRequest.BodyPublishers.ofString(chat(QWEN, "w" + i, "wait")))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      assertThat(b.stats().awaitRequests(Endpoint.CHAT, 4, Duration.ofSeconds(10)))
          .as("three requests held by b")
          .isTrue();

      b.close();

      for (CompletableFuture<HttpResponse<String>> request : waiting) {
        HttpResponse<String> answer = request.get();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"done\":true");
      }
      // the answer that had started is broken off, never restarted elsewhere
      assertThatThrownBy(
              () -> {
                while (lines.readLine() != null) {
                  // the rest, until the connection breaks
                }
              })
          .isInstanceOf(java.io.IOException.class);
      assertThat(f.sim('a').stats().requests(Endpoint.CHAT)).isEqualTo(3);
      assertThat(f.samples("tinyllm_proxy_backend_failovers_total"))
          .containsExactly("tinyllm_proxy_backend_failovers_total{backend=\"b\"} 3.0");
      assertThat(f.samples("tinyllm_proxy_backend_errors_total"))
          .containsExactly(
              "tinyllm_proxy_backend_errors_total{backend=\"b\",error_type=\"connection\"} 3.0",
              "tinyllm_proxy_backend_errors_total{backend=\"b\",error_type=\"stream_error\"} 1.0");
    }
  }

  @Test
  void anOpenCircuitBreakerKeepsRequestsOffItsBackendUntilATrialSucceeds() {
    try (FleetFixture f =
        new FleetFixture(
            List.of(FleetFixture.quick().build(), FleetFixture.quick().build()),
            java.util.Map.of(
                FleetConfig.BREAKER_ENABLED, "true",
                FleetConfig.BREAKER_FAILURE_THRESHOLD, "2",
                FleetConfig.BREAKER_OPEN_DURATION, "30s"))) {
      OllamaSimulator b = loadedOnB(f);
      b.faults().scope(Endpoint.CHAT).failNext(2, 500, "runner crashed");

      assertThat(f.post("/api/chat", chat(QWEN, "s", "1")).statusCode()).isEqualTo(500);
      assertThat(f.post("/api/chat", chat(QWEN, "s", "2")).statusCode()).isEqualTo(500);
      assertThat(f.allSamples("tinyllm_proxy_backend_circuit_breaker_state"))
          .containsExactly(
              "tinyllm_proxy_backend_circuit_breaker_state{backend=\"a\"} 0.0",
              "tinyllm_proxy_backend_circuit_breaker_state{backend=\"b\"} 2.0");
      assertThat(f.post("/api/chat", chat(QWEN, "s", "3")).statusCode()).isEqualTo(200);
      assertThat(f.sim('a').stats().requests(Endpoint.CHAT)).isEqualTo(1);

      f.advance(Duration.ofSeconds(29));
      assertThat(f.post("/api/chat", chat(QWEN, "s", "4")).statusCode()).isEqualTo(200);
      assertThat(f.sim('a').stats().requests(Endpoint.CHAT)).isEqualTo(2);
      f.advance(Duration.ofSeconds(2)); // past the open duration: one trial goes to b
      assertThat(f.post("/api/chat", chat(QWEN, "s", "5")).statusCode()).isEqualTo(200);

      assertThat(b.stats().requests(Endpoint.CHAT)).isEqualTo(3); // the trial went to b
      assertThat(f.allSamples("tinyllm_proxy_backend_circuit_breaker_state"))
          .containsExactly(
              "tinyllm_proxy_backend_circuit_breaker_state{backend=\"a\"} 0.0",
              "tinyllm_proxy_backend_circuit_breaker_state{backend=\"b\"} 0.0");
      assertThat(f.samples("tinyllm_proxy_routing_decisions_total"))
          .containsExactly(
              "tinyllm_proxy_routing_decisions_total{backend=\"a\",reason=\"only\"} 2.0",
              "tinyllm_proxy_routing_decisions_total{backend=\"b\",reason=\"loaded\"} 3.0");
    }
  }

  @Test
  void withEveryBreakerOpenTheProxyAnswers503() {
    try (FleetFixture f =
        new FleetFixture(
            List.of(FleetFixture.quick().build(), FleetFixture.quick().build()),
            java.util.Map.of(
                FleetConfig.BREAKER_ENABLED, "true", FleetConfig.BREAKER_FAILURE_THRESHOLD, "1"))) {
      f.sim('a').faults().scope(Endpoint.VERSION).failNext(1, 500);
      f.sim('b').faults().scope(Endpoint.VERSION).failNext(1, 500);
      assertThat(f.get("/api/version").statusCode()).isEqualTo(500); // a
      assertThat(f.get("/api/version").statusCode()).isEqualTo(500); // b

      HttpResponse<String> refused = f.post("/api/chat", chat(QWEN, "s", "x"));

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.body())
          .isEqualTo(
              "{\"error\":\"no Ollama backend takes requests now: every circuit breaker is"
                  + " open\"}");
      assertThat(f.samples("tinyllm_errors_total"))
          .containsExactly(
              "tinyllm_errors_total{error_type=\"circuit_open\",graph=\"default\","
                  + "model=\"qwen2.5:0.5b\"} 1.0");
    }
  }

  /** Loads the model on b and lets the fleet see it: every request for it goes to b. */
  private static OllamaSimulator loadedOnB(FleetFixture f) {
    OllamaSimulator b = f.sim('b');
    HttpResponse<String> load =
        f.send(
            HttpRequest.newBuilder(b.baseUri().resolve("/api/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + QWEN + "\"}"))
                .build());
    assertThat(load.statusCode()).isEqualTo(200);
    f.fleet.probe();
    return b;
  }
}
