package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.error.ServerErrorException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-model breaker opens, half-opens and closes, and its metrics follow each transition. Its
 * open duration runs on a fake clock, an hour long on the wall clock, so nothing that must happen
 * while it is open races the machine's load.
 */
class CircuitBreakerTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final GenerateRequest PING = GenerateRequest.builder(MODEL, "ping").build();
  private static final Duration OPEN = Duration.ofHours(1);

  private final AtomicLong clock = new AtomicLong();
  private ClientFixture f;

  @BeforeEach
  void start() {
    f =
        ClientFixture.start(
            SimulatorConfig.builder().timeScale(0.01).build(),
            Map.of(
                OllamaConfig.RETRY_MAX_ATTEMPTS, "1",
                OllamaConfig.BREAKER_OPEN_DURATION, "1h"),
            clock::get);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void theOpenBreakerNamesTheFailureThatOpenedItButNotThePrompt() {
    GenerateRequest secret = GenerateRequest.builder(MODEL, "the secret prompt").build();
    f.sim.close(); // connection refused from now on
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> f.client.generate(secret))
          .isInstanceOf(LlmConnectionException.class);
    }

    CircuitOpenException open =
        (CircuitOpenException) catchThrowable(() -> f.client.generate(secret));

    assertThat(open.rootCause()).isEqualTo(ErrorType.CONNECTION);
    assertThat(open.getMessage())
        .startsWith(
            "The circuit breaker for model 'qwen2.5:0.5b' is open after 5 consecutive failures;"
                + " last: connection: ")
        .contains("127.0.0.1:" + f.sim.port())
        .endsWith("; calls are rejected for 3600000 ms, then trial calls are let through")
        .doesNotContain("secret")
        .doesNotContain("\n");
  }

  @Test
  void aBreakerOpenedByServerErrorsSaysSo() {
    f.sim
        .faults()
        .failNext(5, 500, "an error was encountered while running the model: model runner crashed");
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(ServerErrorException.class);
    }

    CircuitOpenException open =
        (CircuitOpenException) catchThrowable(() -> f.client.generate(PING));

    assertThat(open.rootCause()).isEqualTo(ErrorType.SERVER_ERROR);
    assertThat(open.getMessage())
        .contains("; last: server_error: ")
        .contains("model runner crashed");
  }

  @Test
  void opensAfterFiveConsecutiveFailuresThenHalfOpensAndCloses() throws Exception {
    f.sim.faults().failNext(5, 500);
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(ServerErrorException.class);
    }
    assertThat(state()).isEqualTo("tinyllm_circuit_breaker_state{model=\"qwen2.5:0.5b\"} 0.0\n");

    assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(ServerErrorException.class);
    long opened = f.client.circuitBreakerTransitions();

    assertThat(state()).isEqualTo("tinyllm_circuit_breaker_state{model=\"qwen2.5:0.5b\"} 2.0\n");
    assertThat(f.samples("tinyllm_circuit_breaker_in_state")).isEqualTo(states("open"));
    assertThat(f.family("tinyllm_circuit_breaker_transitions_total"))
        .isEqualTo(
            """
            # HELP tinyllm_circuit_breaker_transitions_total Circuit breaker state changes
            # TYPE tinyllm_circuit_breaker_transitions_total counter
            tinyllm_circuit_breaker_transitions_total{from_state="closed",model="qwen2.5:0.5b",to_state="open"} 1.0
            tinyllm_circuit_breaker_transitions_total{from_state="half_open",model="qwen2.5:0.5b",to_state="closed"} 0.0
            tinyllm_circuit_breaker_transitions_total{from_state="half_open",model="qwen2.5:0.5b",to_state="open"} 0.0
            tinyllm_circuit_breaker_transitions_total{from_state="open",model="qwen2.5:0.5b",to_state="half_open"} 0.0
            """);
    assertThat(f.family("tinyllm_circuit_breaker_failures_total"))
        .isEqualTo(
            """
            # HELP tinyllm_circuit_breaker_failures_total Failed calls the circuit breaker of a model recorded
            # TYPE tinyllm_circuit_breaker_failures_total counter
            tinyllm_circuit_breaker_failures_total{model="qwen2.5:0.5b"} 5.0
            """);

    // open: rejected without reaching the server, streams too
    assertThatThrownBy(() -> f.client.generate(PING))
        .isInstanceOf(CircuitOpenException.class)
        .hasMessageContaining("'qwen2.5:0.5b'");
    ExecutionException streamed =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () -> f.client.generateStream(PING, t -> {}).completion().get(10, TimeUnit.SECONDS));
    assertThat(streamed.getCause()).isInstanceOf(CircuitOpenException.class);
    assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(5);
    assertThat(
            f.value(
                "tinyllm_errors_total{error_type=\"circuit_open\",graph=\"default\",model=\"qwen2.5:0.5b\"}"))
        .isEqualTo(2.0);

    // still open when exactly the open duration has passed; a call after it is a trial call
    clock.addAndGet(OPEN.toNanos());
    assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(CircuitOpenException.class);
    assertThat(f.client.circuitBreakerTransitions()).isEqualTo(opened);
    clock.incrementAndGet();

    f.client.generate(PING);

    assertThat(state()).isEqualTo("tinyllm_circuit_breaker_state{model=\"qwen2.5:0.5b\"} 0.0\n");
    assertThat(f.samples("tinyllm_circuit_breaker_in_state")).isEqualTo(states("closed"));
    assertThat(f.samples("tinyllm_circuit_breaker_transitions_total"))
        .isEqualTo(
            """
            tinyllm_circuit_breaker_transitions_total{from_state="closed",model="qwen2.5:0.5b",to_state="open"} 1.0
            tinyllm_circuit_breaker_transitions_total{from_state="half_open",model="qwen2.5:0.5b",to_state="closed"} 1.0
            tinyllm_circuit_breaker_transitions_total{from_state="open",model="qwen2.5:0.5b",to_state="half_open"} 1.0
            """);
    assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(6);
  }

  @Test
  void theBreakerHalfOpensOnItsOwnOnceTheOpenDurationHasPassed() throws Exception {
    // the wall clock and a short open duration: nothing is asserted while it is open
    try (ClientFixture g =
        ClientFixture.start(
            SimulatorConfig.builder().timeScale(0.01).build(),
            Map.of(
                OllamaConfig.RETRY_MAX_ATTEMPTS, "1",
                OllamaConfig.BREAKER_OPEN_DURATION, "200ms"))) {
      g.sim.faults().failNext(5, 500);
      long before = g.client.circuitBreakerTransitions();
      for (int i = 0; i < 5; i++) {
        assertThatThrownBy(() -> g.client.generate(PING)).isInstanceOf(ServerErrorException.class);
      }

      // the transition after the one to open (it may have come already)
      awaitHalfOpen(g, before + 1);
      assertThat(g.samples("tinyllm_circuit_breaker_in_state")).isEqualTo(states("half_open"));
      g.client.generate(PING);

      assertThat(g.samples("tinyllm_circuit_breaker_in_state")).isEqualTo(states("closed"));
      assertThat(g.samples("tinyllm_circuit_breaker_transitions_total"))
          .isEqualTo(
              """
              tinyllm_circuit_breaker_transitions_total{from_state="closed",model="qwen2.5:0.5b",to_state="open"} 1.0
              tinyllm_circuit_breaker_transitions_total{from_state="half_open",model="qwen2.5:0.5b",to_state="closed"} 1.0
              tinyllm_circuit_breaker_transitions_total{from_state="open",model="qwen2.5:0.5b",to_state="half_open"} 1.0
              """);
    }
  }

  @Test
  void aFailedTrialCallOpensItAgain() throws Exception {
    f.sim.faults().failNext(6, 500);
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(ServerErrorException.class);
    }
    clock.addAndGet(OPEN.toNanos() + 1);

    assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(ServerErrorException.class);

    assertThat(state()).isEqualTo("tinyllm_circuit_breaker_state{model=\"qwen2.5:0.5b\"} 2.0\n");
    assertThat(
            f.value(
                "tinyllm_circuit_breaker_transitions_total{from_state=\"half_open\",model=\"qwen2.5:0.5b\",to_state=\"open\"}"))
        .isEqualTo(1.0);
  }

  @Test
  void aSuccessInBetweenResetsTheCountAndCallerErrorsDoNotCount() {
    f.sim.faults().failNext(4, 500);
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(ServerErrorException.class);
    }
    f.client.generate(PING);
    f.sim.faults().failNext(4, 500);
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(ServerErrorException.class);
    }
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> f.client.generate(GenerateRequest.builder("nope:1b", "x").build()))
          .isInstanceOf(ModelNotFoundException.class);
    }

    assertThat(state())
        .isEqualTo(
            """
            tinyllm_circuit_breaker_state{model="nope:1b"} 0.0
            tinyllm_circuit_breaker_state{model="qwen2.5:0.5b"} 0.0
            """);
    assertThat(f.samples("tinyllm_circuit_breaker_failures_total"))
        .isEqualTo("tinyllm_circuit_breaker_failures_total{model=\"qwen2.5:0.5b\"} 8.0\n");
    assertThat(f.samples("tinyllm_circuit_breaker_transitions_total")).isEmpty();
  }

  @Test
  void modelNamesBeyondTheCapShareOneBreakerInsteadOfGrowingTheState() {
    int names = Resilience.MAX_MODELS + 20;
    for (int i = 0; i < names; i++) {
      GenerateRequest unknown = GenerateRequest.builder("m" + i + ":1b", "x").build();
      assertThatThrownBy(() -> f.client.generate(unknown))
          .isInstanceOf(ModelNotFoundException.class);
    }
    // qwen2.5 comes after the cap: its failures open the shared breaker
    f.sim.faults().failNext(5, 500);
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(ServerErrorException.class);
    }

    assertThat(f.client.circuitBreakerState(MODEL)).isEqualTo("open");
    assertThat(f.client.circuitBreakerState("m" + (names - 1) + ":1b")).isEqualTo("open");
    assertThatThrownBy(
            () ->
                f.client.generate(GenerateRequest.builder("m" + (names - 1) + ":1b", "x").build()))
        .isInstanceOf(CircuitOpenException.class)
        .hasMessageContaining("shared by the models beyond the first 256 names");
    // the models within the cap keep breakers of their own
    assertThat(f.client.circuitBreakerState("m0:1b")).isEqualTo("closed");
    assertThatThrownBy(() -> f.client.generate(GenerateRequest.builder("m0:1b", "x").build()))
        .isInstanceOf(ModelNotFoundException.class);
  }

  private String state() {
    return f.samples("tinyllm_circuit_breaker_state");
  }

  private static String states(String current) {
    StringBuilder out = new StringBuilder();
    for (String s : new String[] {"closed", "half_open", "open"}) {
      out.append(
              "tinyllm_circuit_breaker_in_state{model=\"qwen2.5:0.5b\",tinyllm_circuit_breaker_in_state=\"")
          .append(s)
          .append("\"} ")
          .append(s.equals(current) ? 1 : 0)
          .append('\n');
    }
    return out.toString();
  }

  /** Waits for the transition after the {@code opened}th, open to half-open, and its metrics. */
  private static void awaitHalfOpen(ClientFixture g, long opened) throws InterruptedException {
    assertThat(g.client.awaitCircuitBreakerTransition(opened, Duration.ofSeconds(10)))
        .as("the breaker half-open after its open duration")
        .isTrue();
    assertThat(g.samples("tinyllm_circuit_breaker_state"))
        .isEqualTo("tinyllm_circuit_breaker_state{model=\"qwen2.5:0.5b\"} 1.0\n");
  }
}
