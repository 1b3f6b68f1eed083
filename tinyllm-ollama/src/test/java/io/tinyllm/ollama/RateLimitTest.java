package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.RateLimitedException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Every attempt, streamed or not, takes a token; waits are observed, overlong waits refused. The
 * limiter reads a clock that stands still unless a test moves it, so each wait is exactly what the
 * rate says, however long the calls themselves take on a busy machine.
 */
class RateLimitTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final GenerateRequest PING = GenerateRequest.builder(MODEL, "ping").build();

  private final AtomicLong clock = new AtomicLong();

  @Test
  void aCallBeyondTheBurstWaitsForTheNextToken() throws Exception {
    try (ClientFixture f =
        ClientFixture.start(
            SimulatorConfig.builder().timeScale(0).build(),
            Map.of(
                OllamaConfig.RATE_LIMIT_ENABLED, "true",
                OllamaConfig.RATE_LIMIT_RPS, "2",
                OllamaConfig.RATE_LIMIT_BURST, "1"),
            clock::get)) {
      // warm up HTTP and JSON outside the limiter (model management does not take tokens)
      f.client.list();
      f.client.generate(PING);
      // the clock stands still: the next token is due exactly 500 ms after the first call took
      // the only one, and the wait lands in the 0.5 s bucket (upper bounds are inclusive)
      f.client.generateStream(PING, t -> {}).completion().get(10, TimeUnit.SECONDS);

      assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(2);
      assertThat(buckets(f))
          .isEqualTo(
              """
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="0.0"} 1
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="0.001"} 1
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="0.005"} 1
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="0.01"} 1
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="0.05"} 1
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="0.1"} 1
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="0.5"} 2
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="1.0"} 2
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="5.0"} 2
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="10.0"} 2
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="30.0"} 2
              tinyllm_rate_limit_wait_seconds_bucket{model="qwen2.5:0.5b",le="+Inf"} 2
              tinyllm_rate_limit_wait_seconds_count{model="qwen2.5:0.5b"} 2
              """);
    }
  }

  @Test
  void aWaitLongerThanAllowedIsRefusedWithoutCallingTheServer() {
    try (ClientFixture f =
        ClientFixture.start(
            SimulatorConfig.builder().timeScale(0).build(),
            Map.of(
                OllamaConfig.RATE_LIMIT_ENABLED, "true",
                OllamaConfig.RATE_LIMIT_RPS, "1",
                OllamaConfig.RATE_LIMIT_BURST, "1",
                OllamaConfig.RATE_LIMIT_MAX_WAIT, "100ms",
                OllamaConfig.BREAKER_FAILURE_THRESHOLD, "1"),
            clock::get)) {
      f.client.generate(PING);

      assertThatThrownBy(() -> f.client.generate(PING))
          .isInstanceOf(RateLimitedException.class)
          .hasMessageContaining(OllamaConfig.RATE_LIMIT_MAX_WAIT);

      assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(1);
      assertThat(
              f.value(
                  "tinyllm_errors_total{error_type=\"rate_limited\",graph=\"default\",model=\"qwen2.5:0.5b\"}"))
          .isEqualTo(1.0);
      // the client's own limit says nothing about the server's health
      assertThat(f.client.circuitBreakerState(MODEL)).isEqualTo("closed");
      assertThat(f.samples("tinyllm_retries_total")).isEmpty();
    }
  }

  private static String buckets(ClientFixture f) {
    StringBuilder out = new StringBuilder();
    for (String line : f.samples("tinyllm_rate_limit_wait_seconds").split("\n")) {
      if (!line.contains("_sum")) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }
}
