package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.BadRequestException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.error.NotSupportedException;
import io.tinyllm.api.error.ServerBusyException;
import io.tinyllm.api.error.ServerErrorException;
import io.tinyllm.api.error.ServerRejectedException;
import io.tinyllm.api.error.TooManyRequestsException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.LlmResponse;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ollama's error semantics, answered byte for byte by a {@link HostileServer}: only what can
 * succeed later is retried and counts for the breaker (threshold 2 here, three attempts per call);
 * a request Ollama can never serve fails at once with its message and leaves the breaker closed.
 * The texts are Ollama v0.13.5's ({@code server/routes.go}, {@code llm/server.go}, {@code
 * api/types.go}, {@code runner/ollamarunner/runner.go}).
 */
class OllamaErrorSemanticsTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final String CHAT_ANSWER =
      "{\"model\":\"qwen2.5:0.5b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":"
          + "\"assistant\",\"content\":\"hi\"},\"done_reason\":\"stop\",\"done\":true,"
          + "\"total_duration\":3000,\"load_duration\":10,\"prompt_eval_count\":3,"
          + "\"prompt_eval_duration\":100,\"eval_count\":2,\"eval_duration\":200}";
  private static final ChatRequest CHAT = ChatRequest.of(MODEL, List.of(ChatMessage.user("hi")));
  private static final Map<String, String> SETTINGS =
      Map.of(OllamaConfig.BREAKER_FAILURE_THRESHOLD, "2", OllamaConfig.RETRY_MAX_ATTEMPTS, "3");

  @Test
  void embedOnAChatOnlyModelFailsAtOnceAndTheNextChatStillWorks() {
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/embed",
                    HostileServer.json(
                        501, "{\"error\":\"this model does not support embeddings\"}"),
                    "/api/chat",
                    HostileServer.json(200, CHAT_ANSWER)));
        HostileClient c = new HostileClient(server, SETTINGS)) {
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> c.client.embed(EmbedRequest.of(MODEL, List.of("x"))))
            .isInstanceOf(NotSupportedException.class)
            .hasMessageContaining("HTTP 501")
            .hasMessageContaining("this model does not support embeddings");
      }

      assertThat(server.hits("/api/embed")).as("not retried").isEqualTo(2);
      assertThat(c.client.circuitBreakerState(MODEL)).isEqualTo("closed");
      LlmResponse answer = c.client.chat(CHAT);
      assertThat(answer.text()).isEqualTo("hi");
      assertThat(c.samples("tinyllm_errors_total"))
          .isEqualTo(
              "tinyllm_errors_total{error_type=\"not_supported\",graph=\"default\",model=\"qwen2.5:0.5b\"} 2.0\n");
      assertThat(c.samples("tinyllm_retries_total")).isEmpty();
      assertThat(c.samples("tinyllm_circuit_breaker_failures_total")).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "option \\\"temperature\\\" must be of type float32",
        "invalid format: \\\"yaml\\\"; expected \\\"json\\\" or a valid JSON Schema object",
        "invalid JSON schema in format",
        "template: :1:12: executing \\\"\\\" at <.Foo>: can't evaluate field Foo in type"
            + " *template.Values",
        "model requires more system memory (12.4 GiB) than is available (7.6 GiB)"
      })
  void aDeterministic500FailsAtOnceWithOllamasMessageAndLeavesTheBreakerClosed(String text) {
    try (HostileServer server =
            HostileServer.start(
                Map.of("/api/chat", HostileServer.json(500, "{\"error\":\"" + text + "\"}")));
        HostileClient c = new HostileClient(server, SETTINGS)) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> c.client.chat(CHAT))
            .isInstanceOf(ServerRejectedException.class)
            .hasMessageContaining("HTTP 500, not retried")
            .hasMessageContaining(text.replace("\\\"", "\""));
      }

      assertThat(server.hits("/api/chat")).isEqualTo(3);
      assertThat(c.client.circuitBreakerState(MODEL)).isEqualTo("closed");
      assertThat(c.samples("tinyllm_errors_total"))
          .isEqualTo(
              "tinyllm_errors_total{error_type=\"server_rejected\",graph=\"default\",model=\"qwen2.5:0.5b\"} 3.0\n");
      assertThat(c.samples("tinyllm_circuit_breaker_failures_total")).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}",
        "{\"error\":\"model runner has unexpectedly stopped, this may be due to resource"
            + " limitations or an internal error, check ollama server logs for details\"}",
        "{\"error\":\"llama runner process has terminated: exit status 2\"}",
        "<html><body>500 Internal Server Error</body></html>"
      })
  void aRunnerCrashOrANonOllama500IsRetriedAndCountsForTheBreaker(String body) {
    try (HostileServer server =
            HostileServer.start(Map.of("/api/chat", HostileServer.json(500, body)));
        HostileClient c =
            new HostileClient(
                server,
                Map.of(
                    OllamaConfig.BREAKER_FAILURE_THRESHOLD, "5",
                    OllamaConfig.RETRY_MAX_ATTEMPTS, "3"))) {
      assertThatThrownBy(() -> c.client.chat(CHAT))
          .isInstanceOf(ServerErrorException.class)
          .hasMessageContaining("HTTP 500");

      assertThat(server.hits("/api/chat")).isEqualTo(3);
      assertThat(c.samples("tinyllm_retries_total"))
          .isEqualTo(
              "tinyllm_retries_total{error_type=\"server_error\",model=\"qwen2.5:0.5b\"} 2.0\n");
      assertThat(c.samples("tinyllm_circuit_breaker_failures_total"))
          .isEqualTo("tinyllm_circuit_breaker_failures_total{model=\"qwen2.5:0.5b\"} 3.0\n");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {502, 503, 504})
  void gatewayAndBusyAnswersAreRetriedAndOpenTheBreaker(int status) {
    try (HostileServer server =
            HostileServer.start(
                Map.of("/api/chat", HostileServer.json(status, "{\"error\":\"unavailable\"}")));
        HostileClient c =
            new HostileClient(
                server,
                Map.of(
                    OllamaConfig.BREAKER_FAILURE_THRESHOLD, "3",
                    OllamaConfig.RETRY_MAX_ATTEMPTS, "3"))) {
      assertThatThrownBy(() -> c.client.chat(CHAT))
          .isInstanceOf(status == 503 ? ServerBusyException.class : ServerErrorException.class)
          .hasMessageContaining("HTTP " + status);

      // three attempts, three failures: the breaker (threshold 3) opens
      assertThat(server.hits("/api/chat")).isEqualTo(3);
      assertThat(c.client.circuitBreakerState(MODEL)).isEqualTo("open");
      assertThat(c.samples("tinyllm_circuit_breaker_failures_total"))
          .isEqualTo("tinyllm_circuit_breaker_failures_total{model=\"qwen2.5:0.5b\"} 3.0\n");
    }
  }

  @Test
  void tooManyRequestsIsRetriedButNeverOpensTheBreaker() {
    try (HostileServer server =
            HostileServer.start(
                Map.of("/api/chat", HostileServer.json(429, "{\"error\":\"too many requests\"}")));
        HostileClient c = new HostileClient(server, SETTINGS)) {
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> c.client.chat(CHAT))
            .isInstanceOf(TooManyRequestsException.class)
            .hasMessageContaining("HTTP 429")
            .hasMessageContaining("too many requests");
      }

      assertThat(server.hits("/api/chat")).as("3 attempts per call").isEqualTo(6);
      assertThat(c.client.circuitBreakerState(MODEL)).isEqualTo("closed");
      assertThat(c.samples("tinyllm_retries_total"))
          .isEqualTo(
              "tinyllm_retries_total{error_type=\"server_busy\",model=\"qwen2.5:0.5b\"} 4.0\n");
      assertThat(c.samples("tinyllm_circuit_breaker_failures_total")).isEmpty();
    }
  }

  @Test
  void goRoutersPlain404MeansTheUrlIsNotOllamasApi() {
    try (HostileServer server =
            HostileServer.start(Map.of("/api/chat", HostileServer.json(200, CHAT_ANSWER)));
        HostileClient c = new HostileClient(URI.create(server.uri() + "/v1"), SETTINGS)) {
      assertThatThrownBy(() -> c.client.chat(CHAT))
          .isInstanceOf(BadRequestException.class)
          .hasMessage(
              "Ollama at "
                  + server.uri()
                  + "/v1 answered '404 page not found': that URL does not look like Ollama's"
                  + " API, which answers at the server's root (e.g. "
                  + server.uri()
                  + "). Check OLLAMA_HOST or the setting 'ollama.host'.");

      assertThat(server.hits("/v1/api/chat")).isEqualTo(1);
      assertThat(c.client.circuitBreakerState(MODEL)).isEqualTo("closed");
    }
  }

  @Test
  void ollamasOwnJson404IsStillModelNotFound() {
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/chat",
                    HostileServer.json(
                        404,
                        "{\"error\":\"model \\\"nope:1b\\\" not found, try pulling it first\"}")));
        HostileClient c = new HostileClient(server, SETTINGS)) {
      assertThatThrownBy(
              () -> c.client.chat(ChatRequest.of("nope:1b", List.of(ChatMessage.user("hi")))))
          .isInstanceOf(ModelNotFoundException.class)
          .hasMessageContaining("model \"nope:1b\" not found, try pulling it first")
          .hasMessageContaining("ollama pull nope:1b");
      assertThat(server.hits("/api/chat")).isEqualTo(1);
    }
  }
}
