package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.BadRequestException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.error.NotSupportedException;
import io.tinyllm.api.error.ServerBusyException;
import io.tinyllm.api.error.ServerErrorException;
import io.tinyllm.api.error.ServerRejectedException;
import io.tinyllm.api.error.StreamException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.ToolCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real client against Ollama's recorded answers (the corpus under {@code wire/}, replayed byte
 * for byte by a MockWebServer): for each case the result or the exception, how many requests the
 * server saw (the retry decision) and the metrics the client recorded, exactly.
 *
 * <p>The client labels the bare name {@code llama3.2} as {@code llama3.2:latest}, as Ollama names
 * it. Three attempts per call; a breaker threshold of 10, so the breaker never opens here and its
 * failure counter shows which failures count.
 */
class OllamaCorpusClientTest {
  private static final String MODEL = "llama3.2";
  private static final Map<String, String> SETTINGS =
      Map.of(OllamaConfig.RETRY_MAX_ATTEMPTS, "3", OllamaConfig.BREAKER_FAILURE_THRESHOLD, "10");
  private static final GenerateRequest GENERATE =
      GenerateRequest.builder(MODEL, "Why is the sky blue?").build();
  private static final ChatRequest CHAT =
      ChatRequest.of(MODEL, List.of(ChatMessage.user("why is the sky blue?")));

  private final MockWebServer server = new MockWebServer();
  private HostileClient client;

  /** Serves the case {@code times} times (once per attempt the client may make). */
  private OllamaClient replay(String name, int times) {
    RecordedAnswer answer = RecordedAnswer.load(name);
    for (int i = 0; i < times; i++) {
      server.enqueue(answer.response());
    }
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    client = new HostileClient(URI.create(server.url("/").toString()), SETTINGS);
    return client.client;
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  /**
   * The recorded samples of the families that say what happened: requests, errors, retries, breaker
   * failures, tokens, tool calls and model loads.
   */
  private String metrics() {
    return List.of(
            "tinyllm_requests_total",
            "tinyllm_errors_total",
            "tinyllm_retries_total",
            "tinyllm_circuit_breaker_failures_total",
            "tinyllm_tokens_input_total",
            "tinyllm_tokens_output_total",
            "tinyllm_tool_calls_total",
            "tinyllm_model_load_duration_seconds")
        .stream()
        .map(client::samples)
        .flatMap(samples -> samples.lines())
        .filter(line -> !line.contains("_bucket{"))
        .collect(Collectors.joining("\n"));
  }

  /**
   * Checks what one call left: the requests the server saw and, exactly, the samples of {@link
   * #metrics()}.
   */
  private void assertRecorded(Call call) {
    assertThat(server.getRequestCount()).as("requests the server saw").isEqualTo(call.attempts);
    assertThat(metrics()).isEqualTo(call.samples());
  }

  /**
   * One call of {@code requestType} on {@code model}, as {@link #metrics()} shows it: failed with
   * {@code errorType} (null: answered) after {@code attempts} requests (every retry for that
   * error), {@code breakerFailures} of them counted by the breaker, with the tokens and the model
   * load (null: none) an answer reported. Series still at zero are absent from the samples, and so
   * from here.
   */
  private static final class Call {
    private final String requestType;
    private String model = MODEL + ":latest";
    private String errorType;
    private int attempts = 1;
    private int breakerFailures;
    private long inputTokens;
    private long outputTokens;
    private String loadSeconds;

    private Call(String requestType) {
      this.requestType = requestType;
    }

    static Call of(String requestType) {
      return new Call(requestType);
    }

    Call model(String name) {
      model = name;
      return this;
    }

    Call failed(String type, int tries, int counted) {
      errorType = type;
      attempts = tries;
      breakerFailures = counted;
      return this;
    }

    Call tokens(long input, long output) {
      inputTokens = input;
      outputTokens = output;
      return this;
    }

    Call modelLoad(String seconds) {
      loadSeconds = seconds;
      return this;
    }

    /** The sample lines, in the order {@link #metrics()} lists the families. */
    String samples() {
      List<String> lines = new ArrayList<>();
      lines.add(
          "tinyllm_requests_total{graph=\"default\",model=\"%s\",request_type=\"%s\"} 1.0"
              .formatted(model, requestType));
      if (errorType != null) {
        lines.add(
            "tinyllm_errors_total{error_type=\"%s\",graph=\"default\",model=\"%s\"} 1.0"
                .formatted(errorType, model));
      }
      if (attempts > 1) {
        lines.add(
            "tinyllm_retries_total{error_type=\"%s\",model=\"%s\"} %d.0"
                .formatted(errorType, model, attempts - 1));
      }
      if (breakerFailures > 0) {
        lines.add(
            "tinyllm_circuit_breaker_failures_total{model=\"%s\"} %d.0"
                .formatted(model, breakerFailures));
      }
      if (inputTokens > 0) {
        lines.add(
            "tinyllm_tokens_input_total{graph=\"default\",model=\"%s\"} %d.0"
                .formatted(model, inputTokens));
      }
      if (outputTokens > 0) {
        lines.add(
            "tinyllm_tokens_output_total{graph=\"default\",model=\"%s\"} %d.0"
                .formatted(model, outputTokens));
      }
      if (loadSeconds != null) {
        lines.add("tinyllm_model_load_duration_seconds_count{model=\"%s\"} 1".formatted(model));
        lines.add(
            "tinyllm_model_load_duration_seconds_sum{model=\"%s\"} %s"
                .formatted(model, loadSeconds));
      }
      return String.join("\n", lines);
    }
  }

  private static LlmResponse stream(OllamaClient c, GenerateRequest request, List<String> tokens) {
    return c.generateStream(request, tokens::add).completion().join();
  }

  private static LlmException streamFailure(Runnable call) {
    try {
      call.run();
    } catch (java.util.concurrent.CompletionException e) {
      return (LlmException) e.getCause();
    }
    throw new AssertionError("the stream did not fail");
  }

  // ---- answers -----------------------------------------------------------------------------

  @Test
  void generate() {
    LlmResponse answer = replay("api/generate", 1).generate(GENERATE);

    assertThat(answer.text()).isEqualTo("The sky is blue because it is the color of the sky.");
    assertThat(answer.doneReason()).isEqualTo("stop");
    assertThat(answer.promptTokens()).isEqualTo(26);
    assertThat(answer.outputTokens()).isEqualTo(290);
    assertThat(answer.totalDuration()).isEqualTo(Duration.ofNanos(5043500667L));
    assertThat(answer.loadDuration()).isEqualTo(Duration.ofNanos(5025959));
    // 5 ms of load_duration is below the 100 ms threshold: the model was already loaded
    assertRecorded(Call.of("generate").tokens(26, 290));
  }

  @Test
  void generateStreamed() {
    List<String> tokens = new ArrayList<>();
    LlmResponse answer = stream(replay("api/generate-stream", 1), GENERATE, tokens);

    assertThat(tokens).containsExactly("The", " sky", " is blue.");
    assertThat(answer.text()).isEqualTo("The sky is blue.");
    assertThat(answer.doneReason()).isEqualTo("stop");
    assertThat(answer.outputTokens()).isEqualTo(259);
    assertRecorded(Call.of("generate_stream").tokens(26, 259).modelLoad("6.338219291"));
  }

  @Test
  void aFinalChunkWithoutDoneReasonStillEndsTheStream() {
    List<String> tokens = new ArrayList<>();
    LlmResponse answer = stream(replay("api/generate-stream-no-done-reason", 1), GENERATE, tokens);

    assertThat(answer.text()).isEqualTo("The");
    assertThat(answer.doneReason()).isNull();
    assertThat(answer.outputTokens()).isEqualTo(259);
  }

  @Test
  void chatStreamedAsDocumentedWithNullImages() {
    List<String> tokens = new ArrayList<>();
    LlmResponse answer =
        replay("api/chat-stream-docs", 1).chatStream(CHAT, tokens::add).completion().join();

    assertThat(tokens).containsExactly("The");
    assertThat(answer.text()).isEqualTo("The");
    assertThat(answer.doneReason()).isNull();
    assertThat(answer.outputTokens()).isEqualTo(282);
  }

  @Test
  void chatStreamed() {
    List<String> tokens = new ArrayList<>();
    LlmResponse answer =
        replay("api/chat-stream", 1).chatStream(CHAT, tokens::add).completion().join();

    assertThat(tokens).containsExactly("The", " sky", " is blue.");
    assertThat(answer.text()).isEqualTo("The sky is blue.");
    assertThat(answer.doneReason()).isEqualTo("stop");
  }

  @Test
  void theTextOfAFinalChunkIsPartOfTheAnswer() {
    List<String> tokens = new ArrayList<>();
    LlmResponse answer =
        replay("api/chat-stream-final-chunk-with-text", 1)
            .chatStream(CHAT, tokens::add)
            .completion()
            .join();

    assertThat(tokens).containsExactly("The sky is", " blue.");
    assertThat(answer.text()).isEqualTo("The sky is blue.");
  }

  @Test
  void chat() {
    LlmResponse answer = replay("api/chat", 1).chat(CHAT);

    assertThat(answer.text()).isEqualTo("Hello! How are you today?");
    assertThat(answer.doneReason()).isEqualTo("stop");
    assertThat(answer.promptTokens()).isEqualTo(26);
    assertThat(answer.outputTokens()).isEqualTo(298);
  }

  @Test
  void chatWithToolCalls() {
    LlmResponse answer = replay("tools-logprobs/chat-tools", 1).chat(CHAT);

    assertThat(answer.text()).isEmpty();
    assertThat(answer.toolCalls()).extracting(ToolCall::name).containsExactly("get_weather");
    assertThat(answer.toolCalls().get(0).argumentsJson()).isEqualTo("{\"city\":\"Tokyo\"}");
    assertThat(client.samples("tinyllm_tool_calls_total"))
        .isEqualTo("tinyllm_tool_calls_total{graph=\"default\",model=\"llama3.2:latest\"} 1.0\n");
  }

  @Test
  void aLoadReplyIsOneObjectWithoutDurations() {
    LlmResponse answer =
        replay("api/generate-load", 1).generate(GenerateRequest.builder(MODEL, "").build());

    assertThat(answer.text()).isEmpty();
    assertThat(answer.doneReason()).isEqualTo("load");
    assertThat(answer.loadDuration()).isZero();
    assertThat(client.samples("tinyllm_model_load_duration_seconds")).isEmpty();
  }

  @Test
  void anUnloadReplySaysUnload() {
    LlmResponse answer =
        replay("api/generate-unload", 1)
            .generate(GenerateRequest.builder(MODEL, "").keepAlive("0").build());

    assertThat(answer.doneReason()).isEqualTo("unload");
    assertThat(answer.text()).isEmpty();
  }

  @Test
  void embed() {
    EmbedResponse answer =
        replay("api/embed", 1)
            .embed(EmbedRequest.of("all-minilm", List.of("Why is the sky blue?")));

    assertThat(answer.embeddings()).hasSize(1);
    assertThat(answer.embeddings().get(0)).hasSize(10).startsWith(0.010071029f, -0.0017594862f);
    assertThat(answer.promptTokens()).isEqualTo(8);
  }

  @Test
  void tags() {
    List<LocalModel> models = replay("api/tags", 1).list();

    assertThat(models)
        .extracting(LocalModel::name)
        .containsExactly("deepseek-r1:latest", "llama3.2:latest");
    assertThat(models.get(1).size()).isEqualTo(2019393189L);
    assertThat(models.get(1).details().parameterSize()).isEqualTo("3.2B");
    assertThat(models.get(0).modifiedAt())
        .isEqualTo(Instant.parse("2025-05-10T15:06:48.639712648Z"));
  }

  @Test
  void ps() {
    List<RunningModel> running = replay("api/ps", 1).running();

    assertThat(running)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.name()).isEqualTo("mistral:latest");
              assertThat(m.sizeVram()).isEqualTo(5137025024L);
              assertThat(m.contextLength()).isEqualTo(4096);
              assertThat(m.expiresAt()).isEqualTo(Instant.parse("2024-06-04T21:38:31.83753Z"));
            });
  }

  @Test
  void psWithNothingLoaded() {
    assertThat(replay("api/ps-empty", 1).running()).isEmpty();
  }

  @Test
  void show() {
    ModelInfo info = replay("api/show", 1).show("llava");

    assertThat(info.capabilities()).containsExactly("completion", "vision");
    assertThat(info.details().family()).isEqualTo("llama");
    // Go writes < and > as \u003c and \u003e; the client reads them back
    assertThat(info.template()).startsWith("{{ if .System }}<|start_header_id|>system");
    assertThat(info.modifiedAt()).isEqualTo(Instant.parse("2024-05-14T17:12:17.236217573Z"));
  }

  @Test
  void version() {
    assertThat(replay("api/version", 1).version()).isEqualTo("0.5.1");
  }

  @Test
  void pullProgress() {
    List<PullProgress> progress = new ArrayList<>();
    replay("api/pull-stream", 1).pull(MODEL, progress::add);

    assertThat(progress)
        .extracting(PullProgress::status)
        .containsExactly(
            "pulling manifest",
            "pulling dde5aa3fc5ff",
            "pulling dde5aa3fc5ff",
            "pulling dde5aa3fc5ff",
            "verifying sha256 digest",
            "writing manifest",
            "success");
    assertThat(progress.get(2).completed()).isEqualTo(241970);
    assertThat(progress.get(2).total()).isEqualTo(2019377376L);
  }

  @Test
  void aPullOfAModelTheRegistryLacks() {
    OllamaClient c = replay("api/pull-404-registry", 1);
    assertThatThrownBy(() -> c.pull("nope:latest", p -> {}))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("pull model manifest: file does not exist");
  }

  // ---- errors ------------------------------------------------------------------------------

  @Test
  void aRunnerCrashAfterOutputEndsTheStreamWithoutRetry() {
    List<String> tokens = new ArrayList<>();
    OllamaClient c = replay("api/generate-stream-error-runner-crash", 3);
    LlmException failure = streamFailure(() -> stream(c, GENERATE, tokens));

    assertThat(failure)
        .isInstanceOf(StreamException.class)
        .hasMessageContaining("an error was encountered while running the model: unexpected EOF");
    assertThat(tokens).containsExactly("The", " sky");
    assertRecorded(Call.of("generate_stream").failed("stream_error", 1, 1));
  }

  @Test
  void aRunnerCrashLineBeforeAnyOutputIsRetried() {
    List<String> tokens = new ArrayList<>();
    OllamaClient c = replay("api/generate-stream-error-runner-crash-before-output", 3);
    LlmException failure = streamFailure(() -> stream(c, GENERATE, tokens));

    assertThat(failure)
        .isInstanceOf(ServerErrorException.class)
        .hasMessageContaining("before any output")
        .hasMessageContaining("CUDA error: out of memory");
    assertThat(tokens).isEmpty();
    assertRecorded(Call.of("generate_stream").failed("server_error", 3, 3));
  }

  @Test
  void anErrorLineThatIsNotARunnerFailureIsNotRetriedNorABreakerFailure() {
    List<String> tokens = new ArrayList<>();
    OllamaClient c = replay("api/chat-stream-error-not-transient", 3);
    LlmException failure = streamFailure(() -> c.chatStream(CHAT, tokens::add).completion().join());

    assertThat(failure)
        .isInstanceOf(ServerRejectedException.class)
        .hasMessageContaining("error unmarshalling llm prediction response");
    assertRecorded(Call.of("chat_stream").failed("server_rejected", 1, 0));
  }

  @Test
  void aRunnerThatStoppedBeforeTheStreamStartedIsRetried() {
    OllamaClient c = replay("api/chat-stream-error-before-content-runner-stopped", 3);
    LlmException failure = streamFailure(() -> c.chatStream(CHAT, token -> {}).completion().join());

    assertThat(failure)
        .isInstanceOf(ServerErrorException.class)
        .hasMessageContaining("HTTP 500")
        .hasMessageContaining("model runner has unexpectedly stopped");
    assertRecorded(Call.of("chat_stream").failed("server_error", 3, 3));
  }

  @Test
  void aRunnerThatDiedIsRetried() {
    OllamaClient c = replay("api/generate-500-runner-terminated", 3);
    assertThatThrownBy(() -> c.generate(GENERATE))
        .isInstanceOf(ServerErrorException.class)
        .hasMessageContaining("llama runner process has terminated: signal: killed");
    assertRecorded(Call.of("generate").failed("server_error", 3, 3));
  }

  @Test
  void aFullQueueIsRetried() {
    OllamaClient c = replay("api/generate-503-queue-full", 3);
    assertThatThrownBy(() -> c.generate(GENERATE))
        .isInstanceOf(ServerBusyException.class)
        .hasMessageContaining("maximum pending requests exceeded");
    assertRecorded(Call.of("generate").failed("server_busy", 3, 3));
  }

  @Test
  void anOptionOfTheWrongTypeFailsOnceWithOllamasText() {
    OllamaClient c = replay("api/chat-500-option-type", 3);
    assertThatThrownBy(() -> c.chat(CHAT))
        .isInstanceOf(ServerRejectedException.class)
        .hasMessageContaining("option \"temperature\" must be of type float32");
    assertRecorded(Call.of("chat").failed("server_rejected", 1, 0));
  }

  @Test
  void anInvalidFormatFailsOnce() {
    OllamaClient c = replay("api/chat-500-invalid-format", 3);
    assertThatThrownBy(() -> c.chat(CHAT))
        .isInstanceOf(ServerRejectedException.class)
        .hasMessageContaining(
            "invalid format: \"\\\"yaml\\\"\"; expected \"json\" or a valid JSON Schema object");
    assertRecorded(Call.of("chat").failed("server_rejected", 1, 0));
  }

  @Test
  void aTemplateErrorFailsOnceWithItsAngleBracketsDecoded() {
    OllamaClient c = replay("api/generate-500-template", 3);
    assertThatThrownBy(() -> c.generate(GENERATE))
        .isInstanceOf(ServerRejectedException.class)
        .hasMessageContaining("executing \"\" at <.Foo>: can't evaluate field Foo");
    assertRecorded(Call.of("generate").failed("server_rejected", 1, 0));
  }

  @Test
  void embedOnAModelWithoutEmbeddingsIsNotSupported() {
    OllamaClient c = replay("api/embed-501-no-embeddings", 3);
    assertThatThrownBy(() -> c.embed(EmbedRequest.of(MODEL, List.of("hi"))))
        .isInstanceOf(NotSupportedException.class)
        .hasMessageContaining("this model does not support embeddings");
    assertRecorded(Call.of("embed").failed("not_supported", 1, 0));
  }

  @Test
  void anUnknownModelSaysToPullIt() {
    OllamaClient c = replay("api/generate-404-model", 3);
    assertThatThrownBy(() -> c.generate(GenerateRequest.builder("nope:latest", "hi").build()))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("model 'nope:latest' not found")
        .hasMessageContaining("ollama pull nope:latest");
    assertRecorded(Call.of("generate").model("nope:latest").failed("model_not_found", 1, 0));
  }

  @Test
  void anUnknownModelOnChatAndEmbed() {
    OllamaClient c = replay("api/chat-404-model", 1);
    assertThatThrownBy(() -> c.chat(ChatRequest.of("nope:latest", CHAT.messages())))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("model 'nope:latest' not found");
    server.enqueue(RecordedAnswer.load("api/embed-404-model").response());
    assertThatThrownBy(() -> c.embed(EmbedRequest.of("nope:latest", List.of("hi"))))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("model \"nope:latest\" not found, try pulling it first");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void aPlainPageNotFoundIsAWrongBaseUrlNotAMissingModel() {
    OllamaClient c = replay("api/generate-404-page-not-found", 3);
    assertThatThrownBy(() -> c.generate(GENERATE))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("'404 page not found'")
        .hasMessageContaining("does not look like Ollama's API");
    assertRecorded(Call.of("generate").failed("bad_request", 1, 0));
  }

  @Test
  void aBadRequestFailsOnce() {
    OllamaClient c = replay("api/generate-400-top-logprobs", 3);
    assertThatThrownBy(() -> c.generate(GENERATE))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("top_logprobs must be between 0 and 20");
    assertRecorded(Call.of("generate").failed("bad_request", 1, 0));
  }
}
