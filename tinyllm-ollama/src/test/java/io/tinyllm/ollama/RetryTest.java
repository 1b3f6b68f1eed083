package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.BadRequestException;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.LlmTimeoutException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.error.ServerBusyException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retryable failures are retried (3 attempts in total); others never; streams until output. */
class RetryTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final GenerateRequest PING = GenerateRequest.builder(MODEL, "ping").build();

  private ClientFixture f;

  @BeforeEach
  void start() {
    f =
        ClientFixture.start(
            SimulatorConfig.builder().timeScale(0.01).build(),
            Map.of(
                OllamaConfig.REQUEST_TIMEOUT, "2s",
                OllamaConfig.STREAM_IDLE_TIMEOUT, "1s"));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void serverErrorsAreRetriedUntilSuccess() {
    f.sim.faults().failNext(2, 500);

    LlmResponse response = f.client.generate(PING);

    assertThat(response.outputTokens()).isPositive();
    assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(3);
    assertThat(f.samples("tinyllm_retries_total"))
        .isEqualTo(
            "tinyllm_retries_total{error_type=\"server_error\",model=\"qwen2.5:0.5b\"} 2.0\n");
    assertThat(f.samples("tinyllm_errors_total")).isEmpty();
    assertThat(f.samples("tinyllm_request_outcomes_total"))
        .isEqualTo(
            "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"success\"} 1.0\n");
  }

  @Test
  void busyIsRetriedThreeAttemptsInAllThenFails() {
    f.sim.faults().failNext(5, 503);

    assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(ServerBusyException.class);

    assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(3);
    assertThat(f.samples("tinyllm_retries_total"))
        .isEqualTo(
            "tinyllm_retries_total{error_type=\"server_busy\",model=\"qwen2.5:0.5b\"} 2.0\n");
    assertThat(f.samples("tinyllm_errors_total"))
        .isEqualTo(
            "tinyllm_errors_total{error_type=\"server_busy\",graph=\"default\",model=\"qwen2.5:0.5b\"} 1.0\n");
  }

  @Test
  void badRequestAndModelNotFoundAreNeverRetried() {
    f.sim.faults().failNext(1, 400, "invalid options");
    assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(BadRequestException.class);
    assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(1);

    assertThatThrownBy(() -> f.client.generate(GenerateRequest.builder("nope:1b", "x").build()))
        .isInstanceOf(ModelNotFoundException.class);
    assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(2);
    assertThat(f.samples("tinyllm_retries_total")).isEmpty();
  }

  @Test
  void aTimeoutIsRetried() {
    f.sim.faults().hang(Duration.ofSeconds(5), 1);

    LlmResponse response = f.client.generate(PING);

    assertThat(response.outputTokens()).isPositive();
    assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(2);
    assertThat(f.samples("tinyllm_retries_total"))
        .isEqualTo("tinyllm_retries_total{error_type=\"timeout\",model=\"qwen2.5:0.5b\"} 1.0\n");
  }

  @Test
  void aStreamIsRetriedBeforeItsFirstToken() throws Exception {
    f.sim.faults().failNext(1, 500);
    RecordingListener failedOnce = new RecordingListener();
    LlmResponse first =
        f.client.generateStream(PING, failedOnce).completion().get(10, TimeUnit.SECONDS);

    f.sim.faults().hang(Duration.ofSeconds(5), 1);
    RecordingListener hungOnce = new RecordingListener();
    LlmResponse second =
        f.client.generateStream(PING, hungOnce).completion().get(10, TimeUnit.SECONDS);

    assertThat(failedOnce.text()).isEqualTo(first.text());
    assertThat(hungOnce.text()).isEqualTo(second.text());
    assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(4);
    assertThat(f.samples("tinyllm_retries_total"))
        .isEqualTo(
            "tinyllm_retries_total{error_type=\"server_error\",model=\"qwen2.5:0.5b\"} 1.0\n"
                + "tinyllm_retries_total{error_type=\"timeout\",model=\"qwen2.5:0.5b\"} 1.0\n");
  }

  @Test
  void aStreamThatHangsAfterItsFirstTokenTimesOutAndIsNotRetried() throws Exception {
    f.sim.faults().stallAfter(2, Duration.ofSeconds(5), 1);
    RecordingListener listener = new RecordingListener();

    ExecutionException failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () -> f.client.generateStream(PING, listener).completion().get(10, TimeUnit.SECONDS));

    assertThat(failure.getCause())
        .isInstanceOf(LlmTimeoutException.class)
        .hasMessageContaining("sent nothing for 1000 ms")
        .hasMessageContaining(OllamaConfig.STREAM_IDLE_TIMEOUT);
    assertThat(listener.tokens).hasSize(2);
    assertThat(listener.terminal).containsExactly(failure.getCause());
    assertThat(f.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(1);
    assertThat(f.samples("tinyllm_retries_total")).isEmpty();
  }

  @Test
  void connectionFailuresAreRetried() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Map<String, String> settings = new HashMap<>(ClientFixture.testDefaults());
    settings.put(OllamaConfig.HOST, "127.0.0.1:" + port);
    OllamaConfig config = OllamaConfig.from(Settings.of(settings), Map.of());
    OllamaMetrics metrics = new OllamaMetrics(new LabelGuard(10, 100), Duration.ZERO);
    try (OllamaClient client = new OllamaClient(config, metrics)) {
      assertThatThrownBy(() -> client.generate(PING)).isInstanceOf(LlmConnectionException.class);
    }
    io.prometheus.metrics.model.registry.PrometheusRegistry registry =
        new io.prometheus.metrics.model.registry.PrometheusRegistry();
    metrics.sets().forEach(set -> set.collectors().forEach(registry::register));
    assertThat(ClientFixture.family(ClientFixture.scrape(registry), "tinyllm_retries_total"))
        .contains("tinyllm_retries_total{error_type=\"connection\",model=\"qwen2.5:0.5b\"} 2.0");
  }
}
