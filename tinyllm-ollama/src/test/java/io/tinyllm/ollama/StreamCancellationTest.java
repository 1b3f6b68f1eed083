package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.SimulatedModel;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** StreamHandle.cancel() ends a stream at once, whatever it is doing. */
class StreamCancellationTest {
  private static final String SLOW = "slow:1b";
  // 100 words at 10 tokens/s: the simulator streams for about 10 s unless the client goes away
  private static final String ANSWER = String.join(" ", Collections.nCopies(100, "word"));
  private static final GenerateRequest PING = GenerateRequest.builder(SLOW, "ping").build();

  /** The bound of a wait for what the simulator does on its own threads. */
  private static final Duration WAIT = Duration.ofSeconds(5);

  private static SimulatorConfig slowModel() {
    return SimulatorConfig.builder()
        .model(
            SimulatedModel.completion(SLOW)
                .loadTime(Duration.ofMillis(1))
                .timeToFirstToken(Duration.ofMillis(1))
                .tokensPerSecond(10)
                .build())
        .cannedAnswer("ping", ANSWER)
        .build();
  }

  @Test
  void cancellingAfterTheFirstTokenStopsTheStream() throws Exception {
    try (ClientFixture f = ClientFixture.start(slowModel(), Map.of())) {
      RecordingListener listener = new RecordingListener();
      StreamHandle handle = f.client.generateStream(PING, listener);
      listener.awaitFirstToken();

      handle.cancel();
      handle.cancel();

      assertThat(listener.terminal).singleElement().isInstanceOf(CancelledException.class);
      assertThat(handle.completion())
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(CancelledException.class);
      int delivered = listener.tokens.size();
      assertThat(delivered).isLessThan(100);
      // the simulator sees the dropped connection at its next token and stops: from then on no
      // token exists that could still reach the listener
      assertThat(f.sim.stats().awaitActiveRequestsAtMost(0, WAIT))
          .as("the simulator stopped streaming")
          .isTrue();
      assertThat(listener.tokens).hasSize(delivered);
      assertThat(listener.tokenAfterEnd).isFalse();
      assertThat(f.samples("tinyllm_request_outcomes_total"))
          .isEqualTo(
              "tinyllm_request_outcomes_total{model=\"slow:1b\",outcome=\"cancelled\"} 1.0\n");
      assertThat(f.samples("tinyllm_active_requests"))
          .isEqualTo("tinyllm_active_requests{graph=\"default\",model=\"slow:1b\"} 0.0\n");
      assertThat(f.samples("tinyllm_errors_total")).isEmpty();
      assertThat(f.samples("tinyllm_request_latency_seconds")).isEmpty();
      assertThat(f.client.circuitBreakerState(SLOW)).isEqualTo("closed");
    }
  }

  @Test
  void cancellingWhileWaitingForARateLimitTokenNeverCallsTheServer() {
    try (ClientFixture f =
        ClientFixture.start(
            slowModel(),
            Map.of(
                OllamaConfig.RATE_LIMIT_ENABLED, "true",
                OllamaConfig.RATE_LIMIT_RPS, "0.5",
                OllamaConfig.RATE_LIMIT_BURST, "1"))) {
      f.client.generate(GenerateRequest.builder("qwen2.5:0.5b", "hi").build());
      RecordingListener listener = new RecordingListener();
      StreamHandle handle = f.client.generateStream(PING, listener);

      handle.cancel();

      assertThat(listener.terminal).singleElement().isInstanceOf(CancelledException.class);
      assertThat(handle.completion().isCompletedExceptionally()).isTrue();
      try {
        handle.completion().join();
      } catch (CompletionException expected) {
        assertThat(expected).hasCauseInstanceOf(CancelledException.class);
      }
      assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(1);
    }
  }

  @Test
  void cancellingAStreamThatHangsBeforeItsFirstByte() throws Exception {
    try (ClientFixture f = ClientFixture.start(slowModel(), Map.of())) {
      f.sim.faults().hang(Duration.ofSeconds(5), 1);
      RecordingListener listener = new RecordingListener();
      StreamHandle handle = f.client.generateStream(PING, listener);
      // cancel only once the simulator holds the request, so the cancel meets a hung stream
      assertThat(f.sim.stats().awaitInjectedFaults(1, WAIT)).as("the request is held").isTrue();

      handle.cancel();

      assertThat(listener.terminal).singleElement().isInstanceOf(CancelledException.class);
      assertThat(listener.tokens).isEmpty();
    }
  }
}
