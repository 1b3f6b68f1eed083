package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.MalformedResponseException;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.metrics.LabelGuard;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values a broken or hostile server reports are checked before anything uses them: a negative or
 * non-numeric count, a wrongly typed or missing {@code done} make the call fail as a malformed
 * response (counted as such), never as an exception from a metric, and a stream always ends, once.
 */
class MalformedAnswerTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final GenerateRequest PING = GenerateRequest.builder(MODEL, "ping").build();
  private static final Map<String, String> SETTINGS = Map.of(OllamaConfig.RETRY_MAX_ATTEMPTS, "3");

  @Test
  void aNegativeTokenCountIsAMalformedAnswerNotAMetricsFailure() {
    String answer =
        "{\"model\":\"qwen2.5:0.5b\",\"response\":\"Hel\",\"done\":true,\"eval_count\":-5}";
    try (HostileServer server =
            HostileServer.start(Map.of("/api/generate", HostileServer.json(200, answer)));
        HostileClient c = new HostileClient(server, SETTINGS)) {
      assertThatThrownBy(() -> c.client.generate(PING))
          .isInstanceOf(MalformedResponseException.class)
          .hasMessage(
              "Ollama's answer for model 'qwen2.5:0.5b' has 'eval_count': -5, not a whole number"
                  + " from 0 up");

      assertThat(server.hits("/api/generate")).as("not retried").isEqualTo(1);
      assertThat(c.samples("tinyllm_errors_total"))
          .isEqualTo(
              "tinyllm_errors_total{error_type=\"malformed_response\",graph=\"default\",model=\"qwen2.5:0.5b\"} 1.0\n");
      assertThat(c.samples("tinyllm_tokens_output_total")).isEmpty();
      assertThat(c.samples("tinyllm_active_requests"))
          .isEqualTo("tinyllm_active_requests{graph=\"default\",model=\"qwen2.5:0.5b\"} 0.0\n");
      assertThat(c.samples("tinyllm_ollama_metrics_recording_errors_total"))
          .isEqualTo("tinyllm_ollama_metrics_recording_errors_total 0.0\n");
    }
  }

  @Test
  void aStreamWhoseFinalChunkHasANegativeCountEndsAsMalformedInsteadOfHanging() throws Exception {
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    HostileServer.text(
                        200,
                        "application/x-ndjson",
                        "{\"response\":\"Hel\",\"done\":false}\n"
                            + "{\"response\":\"\",\"done\":true,\"prompt_eval_count\":-5}\n")));
        HostileClient c = new HostileClient(server, SETTINGS)) {
      RecordingListener listener = new RecordingListener();
      StreamHandle stream = c.client.generateStream(PING, listener);

      ExecutionException failure =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> stream.completion().get(10, TimeUnit.SECONDS));
      assertThat(failure.getCause())
          .isInstanceOf(MalformedResponseException.class)
          .hasMessageContaining("'prompt_eval_count': -5");
      listener.awaitEnd();
      assertThat(listener.tokens).containsExactly("Hel");
      assertThat(listener.terminal).singleElement().isSameAs(failure.getCause());
      assertThat(c.samples("tinyllm_errors_total"))
          .isEqualTo(
              "tinyllm_errors_total{error_type=\"malformed_response\",graph=\"default\",model=\"qwen2.5:0.5b\"} 1.0\n");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"response\":\"Hel\",\"done\":\"yes\"}",
        "{\"response\":\"Hel\",\"done\":true,\"eval_count\":\"many\"}",
        "{\"response\":\"Hel\",\"done\":true,\"prompt_eval_count\":1.5}",
        "{\"response\":\"Hel\",\"done\":true,\"total_duration\":-1}",
        "{\"response\":\"Hel\",\"done\":false}",
        "{\"response\":\"Hel\"}"
      })
  void aNonStreamedAnswerWithWrongTypesOrNotFinalIsMalformed(String answer) {
    try (HostileServer server =
            HostileServer.start(Map.of("/api/generate", HostileServer.json(200, answer)));
        HostileClient c = new HostileClient(server, SETTINGS)) {
      assertThatThrownBy(() -> c.client.generate(PING))
          .isInstanceOf(MalformedResponseException.class)
          .hasMessageContaining("model 'qwen2.5:0.5b'");
      assertThat(server.hits("/api/generate")).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"embeddings\":[[0.1,\"x\"]]}",
        "{\"embeddings\":[[0.1,0.2]],\"prompt_eval_count\":-1}",
        "{\"embeddings\":[[0.1,0.2]],\"load_duration\":\"slow\"}"
      })
  void anEmbedAnswerWithWrongValuesIsMalformed(String answer) {
    try (HostileServer server =
            HostileServer.start(Map.of("/api/embed", HostileServer.json(200, answer)));
        HostileClient c = new HostileClient(server, SETTINGS)) {
      assertThatThrownBy(() -> c.client.embed(EmbedRequest.of(MODEL, List.of("x"))))
          .isInstanceOf(MalformedResponseException.class);
      assertThat(c.samples("tinyllm_tokens_input_total")).isEmpty();
    }
  }

  @Test
  void aStreamChunkWithAWronglyTypedDoneIsMalformed() throws Exception {
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    HostileServer.text(
                        200,
                        "application/x-ndjson",
                        "{\"response\":\"Hel\",\"done\":\"yes\"}\n"
                            + "{\"response\":\"\",\"done\":true}\n")));
        HostileClient c = new HostileClient(server, SETTINGS)) {
      ExecutionException failure =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class,
              () -> c.client.generateStream(PING, t -> {}).completion().get(10, TimeUnit.SECONDS));
      assertThat(failure.getCause())
          .isInstanceOf(MalformedResponseException.class)
          .hasMessageContaining("\"done\" is \"yes\", not a boolean");
    }
  }

  @Test
  void aStreamCompletesExactlyOnceWhenTheListenerThrowsAnError() throws Exception {
    List<Object> ends = new CopyOnWriteArrayList<>();
    StreamListener throwing =
        new StreamListener() {
          @Override
          public void onToken(String token) {}

          @Override
          public void onComplete(LlmResponse response) {
            ends.add(response);
            throw new AssertionError("listener bug");
          }

          @Override
          public void onError(LlmException error) {
            ends.add(error);
          }
        };
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    HostileServer.text(
                        200,
                        "application/x-ndjson",
                        "{\"response\":\"Hel\",\"done\":false}\n"
                            + "{\"response\":\"lo\",\"done\":true,\"eval_count\":2}\n")));
        HostileClient c = new HostileClient(server, SETTINGS)) {
      LlmResponse response =
          c.client.generateStream(PING, throwing).completion().get(10, TimeUnit.SECONDS);

      assertThat(response.text()).isEqualTo("Hello");
      assertThat(ends).containsExactly(response);
      assertThat(c.samples("tinyllm_request_outcomes_total"))
          .isEqualTo(
              "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"success\"} 1.0\n");
    }
  }

  @Test
  void aFailureInsideTheMetricsIsCountedAndNeverReachesTheCall() {
    OllamaMetrics metrics = new OllamaMetrics(new LabelGuard(100, 128), Duration.ofMillis(100));
    PrometheusRegistry registry = new PrometheusRegistry();
    metrics.sets().forEach(set -> set.collectors().forEach(registry::register));
    OllamaMetrics.Call call = metrics.requestStarted(MODEL, RequestType.GENERATE);
    // a response no parser lets through: the counter refuses a negative increment
    LlmResponse negative =
        new LlmResponse(MODEL, "Hel", null, "stop", 3, -5, null, null, null, null);

    call.succeeded(negative);
    call.failed(ErrorType.INTERNAL); // already ended: ignored

    String text = ClientFixture.scrape(registry);
    assertThat(metrics.recordingFailures().count()).isEqualTo(1);
    assertThat(ClientFixture.family(text, "tinyllm_ollama_metrics_recording_errors_total"))
        .endsWith("tinyllm_ollama_metrics_recording_errors_total 1.0\n");
    assertThat(ClientFixture.family(text, "tinyllm_request_outcomes_total"))
        .endsWith(
            "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"success\"} 1.0\n");
    assertThat(ClientFixture.family(text, "tinyllm_active_requests"))
        .endsWith("tinyllm_active_requests{graph=\"default\",model=\"qwen2.5:0.5b\"} 0.0\n");
    assertThat(ClientFixture.family(text, "tinyllm_tokens_input_total"))
        .endsWith("tinyllm_tokens_input_total{graph=\"default\",model=\"qwen2.5:0.5b\"} 3.0\n");
    assertThat(ClientFixture.recorded(ClientFixture.family(text, "tinyllm_errors_total")))
        .isEmpty();
  }

  @Test
  void recordingFailuresAreLoggedAtMostOnceAMinute() {
    long[] now = {0};
    RecordingFailures failures = new RecordingFailures(() -> now[0]);

    assertThat(failures.failed(new IllegalStateException("1"))).isTrue();
    now[0] += Duration.ofSeconds(59).toNanos();
    assertThat(failures.failed(new IllegalStateException("2"))).isFalse();
    now[0] += Duration.ofSeconds(1).toNanos();
    assertThat(failures.failed(new IllegalStateException("3"))).isTrue();
    assertThat(failures.count()).isEqualTo(3);
  }
}
