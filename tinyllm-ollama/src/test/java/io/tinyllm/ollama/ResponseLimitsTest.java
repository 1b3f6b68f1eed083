package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.LlmTimeoutException;
import io.tinyllm.api.error.ResponseTooLargeException;
import io.tinyllm.api.llm.GenerateRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An endless or oversized answer is cut off with its own error: a non-streamed body beyond {@code
 * ollama.max-response-bytes}, a stream's text beyond it, a stream running past {@code
 * ollama.timeout.stream-total}. The connection is closed (the server sees the hang-up) and the call
 * is not retried.
 */
class ResponseLimitsTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final GenerateRequest PING = GenerateRequest.builder(MODEL, "ping").build();
  private static final String CHUNK = "{\"response\":\"a\",\"done\":false}\n";

  @Test
  void anEndlessBodyIsCutOffAtTheCap() throws Exception {
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    HostileServer.endless(
                        "application/json", "{\"response\":\"", "a".repeat(8192), Duration.ZERO)));
        HostileClient c =
            new HostileClient(server, Map.of(OllamaConfig.MAX_RESPONSE_BYTES, "1048576"))) {
      assertThatThrownBy(() -> c.client.generate(PING))
          .isInstanceOf(ResponseTooLargeException.class)
          .hasMessage(
              "The answer to POST "
                  + server.uri()
                  + "/api/generate for model 'qwen2.5:0.5b' is larger than the 1048576 bytes the"
                  + " client accepts (setting 'ollama.max-response-bytes'); it was not read"
                  + " further");

      assertThat(server.awaitHangUp(Duration.ofSeconds(10))).as("server saw the hang-up").isTrue();
      assertThat(server.hits("/api/generate")).as("not retried").isEqualTo(1);
      assertThat(c.samples("tinyllm_errors_total"))
          .isEqualTo(
              "tinyllm_errors_total{error_type=\"response_too_large\",graph=\"default\",model=\"qwen2.5:0.5b\"} 1.0\n");
    }
  }

  @Test
  void aBodyDeclaringMoreThanTheCapIsNotRead() {
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    HostileServer.json(200, "{\"response\":\"" + "a".repeat(2034) + "\"}")));
        HostileClient c =
            new HostileClient(server, Map.of(OllamaConfig.MAX_RESPONSE_BYTES, "1024"))) {
      assertThatThrownBy(() -> c.client.generate(PING))
          .isInstanceOf(ResponseTooLargeException.class)
          .hasMessageContaining("larger than the 1024 bytes")
          .hasMessageContaining("Content-Length 2049");
    }
  }

  @Test
  void anEndlessStreamEndsAtItsTotalDeadline() throws Exception {
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    HostileServer.endless(
                        "application/x-ndjson", CHUNK, CHUNK, Duration.ofMillis(5))));
        HostileClient c =
            new HostileClient(server, Map.of(OllamaConfig.STREAM_TOTAL_TIMEOUT, "1s"))) {
      RecordingListener listener = new RecordingListener();

      ExecutionException failure =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class,
              () -> c.client.generateStream(PING, listener).completion().get(20, TimeUnit.SECONDS));

      assertThat(failure.getCause())
          .isInstanceOf(LlmTimeoutException.class)
          .hasMessage(
              "The stream from model 'qwen2.5:0.5b' at "
                  + server.uri()
                  + " did not finish within 1000 ms in all (ollama.timeout.stream-total)");
      assertThat(listener.tokens).isNotEmpty();
      assertThat(server.awaitHangUp(Duration.ofSeconds(10))).isTrue();
      assertThat(server.hits("/api/generate")).isEqualTo(1);
    }
  }

  @Test
  void aStreamOfNothingButBlankLinesIsNotRetriedPastItsDeadline() throws Exception {
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    HostileServer.endless(
                        "application/x-ndjson", "\n", "\n", Duration.ofMillis(5))));
        HostileClient c =
            new HostileClient(
                server,
                Map.of(
                    OllamaConfig.STREAM_TOTAL_TIMEOUT, "500ms",
                    OllamaConfig.RETRY_MAX_ATTEMPTS, "3"))) {
      ExecutionException failure =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class,
              () -> c.client.generateStream(PING, t -> {}).completion().get(20, TimeUnit.SECONDS));

      assertThat(failure.getCause())
          .isInstanceOf(LlmTimeoutException.class)
          .hasMessageContaining("ollama.timeout.stream-total");
      assertThat(server.hits("/api/generate"))
          .as("nothing was delivered, yet no retry")
          .isEqualTo(1);
    }
  }

  @Test
  void aStreamWhoseTextOutgrowsTheCapIsCutOff() throws Exception {
    try (HostileServer server =
            HostileServer.start(
                Map.of(
                    "/api/generate",
                    HostileServer.endless("application/x-ndjson", CHUNK, CHUNK, Duration.ZERO)));
        HostileClient c =
            new HostileClient(server, Map.of(OllamaConfig.MAX_RESPONSE_BYTES, "1024"))) {
      RecordingListener listener = new RecordingListener();

      ExecutionException failure =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class,
              () -> c.client.generateStream(PING, listener).completion().get(20, TimeUnit.SECONDS));

      assertThat(failure.getCause())
          .isInstanceOf(ResponseTooLargeException.class)
          .hasMessage(
              "The stream from model 'qwen2.5:0.5b' at "
                  + server.uri()
                  + " sent more than the 1024 characters of text the client accepts (setting"
                  + " 'ollama.max-response-bytes')");
      assertThat(listener.tokens).hasSize(1024);
      assertThat(server.awaitHangUp(Duration.ofSeconds(10))).isTrue();
      assertThat(server.hits("/api/generate")).isEqualTo(1);
    }
  }
}
