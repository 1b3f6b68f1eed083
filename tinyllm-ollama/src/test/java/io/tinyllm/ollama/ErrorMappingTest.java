package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.BadRequestException;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.MalformedResponseException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.error.ServerBusyException;
import io.tinyllm.api.error.ServerErrorException;
import io.tinyllm.api.error.ServerRejectedException;
import io.tinyllm.api.error.StreamException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.ollama.sim.Endpoint;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each way a call fails becomes the typed exception carrying Ollama's message. Retries off. */
class ErrorMappingTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final GenerateRequest PING = GenerateRequest.builder(MODEL, "ping").build();

  private ClientFixture f;

  @BeforeEach
  void start() {
    f = ClientFixture.start(Map.of(OllamaConfig.RETRY_MAX_ATTEMPTS, "1"));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void unknownModelSaysHowToPullIt() {
    assertThatThrownBy(() -> f.client.generate(GenerateRequest.builder("nope:1b", "hi").build()))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("model 'nope:1b' not found")
        .hasMessageContaining("ollama pull nope:1b");
    assertThatThrownBy(() -> f.client.embed(EmbedRequest.of("nope:1b", List.of("x"))))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("ollama pull nope:1b");
    assertThat(streamError(GenerateRequest.builder("nope:1b", "hi").build()))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("ollama pull nope:1b");
  }

  @Test
  void badRequestCarriesOllamasMessage() {
    assertThatThrownBy(
            () -> f.client.generate(GenerateRequest.builder(MODEL, "hi").think(true).build()))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("does not support thinking");
    assertThatThrownBy(() -> f.client.chat(ChatRequest.of("", List.of(ChatMessage.user("hi")))))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("model is required");
  }

  @Test
  void busyAndServerErrors() {
    f.sim
        .faults()
        .failNext(1, 503, "server busy, please try again.  maximum pending requests exceeded");
    assertThatThrownBy(() -> f.client.generate(PING))
        .isInstanceOf(ServerBusyException.class)
        .hasMessageContaining("maximum pending requests exceeded");

    f.sim.faults().failNext(1, 429, "slow down");
    assertThatThrownBy(() -> f.client.generate(PING))
        .isInstanceOf(ServerBusyException.class)
        .hasMessageContaining("slow down");

    f.sim.faults().failNext(1, 500, "llama runner process has terminated");
    assertThatThrownBy(() -> f.client.generate(PING))
        .isInstanceOf(ServerErrorException.class)
        .hasMessageContaining("HTTP 500")
        .hasMessageContaining("llama runner process has terminated");
  }

  @Test
  void anErrorLineInTheMiddleOfAStreamEndsItAtOnce() throws Exception {
    f.sim
        .faults()
        .midStreamError(
            2, "an error was encountered while running the model: model runner crashed", 1);
    RecordingListener listener = new RecordingListener();

    f.client.generateStream(PING, listener);
    listener.awaitEnd();

    assertThat(listener.tokens).hasSize(2);
    assertThat(listener.terminal).singleElement().isInstanceOf(StreamException.class);
    assertThat((LlmException) listener.terminal.get(0))
        .hasMessageContaining("model runner crashed");
  }

  @Test
  void malformedJsonIsReported() {
    f.sim.faults().malformedLineAfter(1, 1);
    assertThat(streamError(PING))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("not valid JSON");

    f.sim.faults().malformedLineAfter(0, 1);
    assertThatThrownBy(() -> f.client.generate(PING))
        .isInstanceOf(MalformedResponseException.class);
  }

  @Test
  void aDroppedConnectionFailsTheCall() throws Exception {
    f.sim.faults().dropConnectionAfter(2, 1);
    RecordingListener listener = new RecordingListener();
    f.client.generateStream(PING, listener);
    listener.awaitEnd();

    assertThat(listener.tokens).hasSize(2);
    assertThat(listener.terminal).singleElement().isInstanceOf(StreamException.class);
    assertThat((LlmException) listener.terminal.get(0))
        .hasMessageContaining("broke before its final chunk");

    f.sim.faults().dropConnectionAfter(0, 1);
    assertThatThrownBy(() -> f.client.generate(PING)).isInstanceOf(LlmConnectionException.class);
  }

  @Test
  void connectionRefusedNamesTheHostAndHowToStartOllama() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    OllamaConfig config =
        OllamaConfig.from(
            Settings.of(
                Map.of(
                    OllamaConfig.HOST, "127.0.0.1:" + port, OllamaConfig.RETRY_MAX_ATTEMPTS, "1")),
            Map.of());
    try (OllamaClient client = OllamaClient.create(config)) {
      assertThatThrownBy(() -> client.generate(PING))
          .isInstanceOf(LlmConnectionException.class)
          .hasMessageContaining("http://127.0.0.1:" + port)
          .hasMessageContaining("ollama serve")
          .hasMessageContaining("OLLAMA_HOST");
    }
  }

  @Test
  void modelManagementErrorsAreTyped() {
    f.sim.faults().scope(Endpoint.TAGS).failNext(1, 500, "disk on fire");
    assertThatThrownBy(() -> f.client.list())
        .isInstanceOf(ServerRejectedException.class)
        .hasMessageContaining("disk on fire");
    f.sim.faults().scope(Endpoint.TAGS).failNext(1, 502, "bad gateway");
    assertThatThrownBy(() -> f.client.list())
        .isInstanceOf(ServerErrorException.class)
        .hasMessageContaining("HTTP 502")
        .hasMessageContaining("bad gateway");
  }

  private LlmException streamError(GenerateRequest request) {
    ExecutionException failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class,
            () ->
                f.client
                    .generateStream(request, token -> {})
                    .completion()
                    .get(10, TimeUnit.SECONDS));
    return (LlmException) failure.getCause();
  }
}
