package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.BadRequestException;
import io.tinyllm.api.error.MalformedResponseException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.ToolCall;
import io.tinyllm.api.llm.ToolDefinition;
import io.tinyllm.metrics.LabelGuard;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tool calls and log probabilities against Ollama's own bytes (test resources {@code
 * wire/tools-logprobs}, sources in their README): what the client sends, what it makes of the
 * answers, streamed and not, and the tool-call metric.
 */
class ToolCallsAndLogprobsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ToolDefinition WEATHER =
      ToolDefinition.function(
          "get_weather",
          "Get the weather in a given city",
          """
          {"type": "object",
           "properties": {"city": {"type": "string", "description": "The city to get the weather for"}},
           "required": ["city"]}
          """);

  private ReplayServer server;
  private OllamaClient client;
  private final PrometheusRegistry registry = new PrometheusRegistry();

  /** Serves the corpus case {@code name} ({@code tools-logprobs/chat-tools}). */
  private void replay(String name) {
    server = ReplayServer.replaying(name);
    Map<String, String> settings = new HashMap<>(ClientFixture.testDefaults());
    settings.put(OllamaConfig.HOST, server.baseUri().toString());
    OllamaConfig config = OllamaConfig.from(Settings.of(settings), Map.of());
    OllamaMetrics metrics = new OllamaMetrics(new LabelGuard(100, 128), config);
    metrics.sets().forEach(set -> set.collectors().forEach(registry::register));
    client = new OllamaClient(config, metrics);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theRequestCarriesTheToolsExactlyAsOllamasDocumentedExample() throws Exception {
    replay("tools-logprobs/chat-tools");

    client.chat(
        ChatRequest.builder("llama3.2", List.of(ChatMessage.user("what is the weather in tokyo?")))
            .tools(List.of(WEATHER))
            .build());

    assertThat(server.requestBodies()).hasSize(1);
    assertThat(JSON.readTree(server.requestBodies().get(0)))
        .isEqualTo(JSON.readTree(RecordedAnswer.file("tools-logprobs/chat-tools-request.json")));
  }

  @Test
  void aToolCallAnswerCarriesItsCallsInsteadOfBecomingAnEmptyText() {
    replay("tools-logprobs/chat-tools");

    LlmResponse response = client.chat(toolRequest());

    assertThat(response.text()).isEmpty();
    assertThat(response.toolCalls())
        .containsExactly(new ToolCall(null, "get_weather", "{\"city\":\"Tokyo\"}"));
    assertThat(response.doneReason()).isEqualTo("stop");
    assertThat(response.promptTokens()).isEqualTo(169);
    assertThat(response.outputTokens()).isEqualTo(18);
    assertThat(response.logprobs()).isEmpty();
  }

  @Test
  void aStreamDeliversTheToolCallChunkAndTheCompletionCarriesAllCalls() throws Exception {
    replay("tools-logprobs/chat-tools-stream");
    List<ToolCall> weather =
        List.of(new ToolCall("call_k3v9x0qa", "get_weather", "{\"city\":\"Tokyo\"}"));
    List<ToolCall> expected =
        List.of(
            weather.get(0),
            new ToolCall("call_7fz2m1pc", "get_time", "{\"city\":\"Tokyo\",\"format\":\"24h\"}"));
    ToolRecorder listener = new ToolRecorder();

    LlmResponse response =
        client.chatStream(toolRequest(), listener).completion().get(10, TimeUnit.SECONDS);

    assertThat(listener.toolCalls).containsExactly(expected);
    assertThat(listener.text()).isEmpty();
    assertThat(response.toolCalls()).isEqualTo(expected);
    assertThat(response.outputTokens()).isEqualTo(15);
  }

  @Test
  void theToolCallsOfEachStreamedAnswerAreCountedPerModelAndGraph() throws Exception {
    replay("tools-logprobs/chat-tools-stream");
    assertThat(ClientFixture.family(ClientFixture.scrape(registry), "tinyllm_tool_calls_total"))
        .isEmpty();

    client.chatStream(toolRequest(), new ToolRecorder()).completion().get(10, TimeUnit.SECONDS);
    client.chatStream(toolRequest(), new ToolRecorder()).completion().get(10, TimeUnit.SECONDS);

    assertThat(ClientFixture.family(ClientFixture.scrape(registry), "tinyllm_tool_calls_total"))
        .isEqualTo(
            """
            # HELP tinyllm_tool_calls_total Tool calls the model asked for in successful chat answers
            # TYPE tinyllm_tool_calls_total counter
            tinyllm_tool_calls_total{graph="default",model="llama3.2:latest"} 4.0
            """);
  }

  @Test
  void aTextAnswerAddsNoToolCallSeries() {
    replay("tools-logprobs/chat-logprobs");

    client.chat(ChatRequest.of("llama3.2", List.of(ChatMessage.user("hi"))));

    assertThat(ClientFixture.family(ClientFixture.scrape(registry), "tinyllm_tool_calls_total"))
        .as("no series, so no family")
        .isEmpty();
  }

  @Test
  void logprobsAreAskedForAndParsedWithTheirAlternatives() throws Exception {
    replay("tools-logprobs/chat-logprobs");

    LlmResponse response =
        client.chat(
            ChatRequest.builder("llama3.2", List.of(ChatMessage.user("hi"))).logprobs(2).build());

    JsonNode sent = JSON.readTree(server.requestBodies().get(0));
    assertThat(sent.get("logprobs")).isEqualTo(JSON.readTree("true"));
    assertThat(sent.get("top_logprobs")).isEqualTo(JSON.readTree("2"));
    assertThat(response.text()).isEqualTo("Hi there");
    assertThat(response.logprobs())
        .containsExactly(
            new Logprob(
                "Hi", -0.0123, List.of(new Logprob("Hi", -0.0123), new Logprob("Hello", -4.5))),
            new Logprob(
                " there", -0.25, List.of(new Logprob(" there", -0.25), new Logprob("!", -1.75))));
  }

  @Test
  void aStreamDeliversTheLogprobsOfEachChunk() throws Exception {
    replay("tools-logprobs/generate-logprobs-stream");
    ToolRecorder listener = new ToolRecorder();

    LlmResponse response =
        client
            .generateStream(GenerateRequest.builder("llama3.2", "hi").logprobs(0).build(), listener)
            .completion()
            .get(10, TimeUnit.SECONDS);

    JsonNode sent = JSON.readTree(server.requestBodies().get(0));
    assertThat(sent.get("logprobs")).isEqualTo(JSON.readTree("true"));
    assertThat(sent.has("top_logprobs")).as("Ollama omits top_logprobs 0").isFalse();
    assertThat(listener.logprobs)
        .containsExactly(
            List.of(new Logprob("Hi", -0.0123)), List.of(new Logprob(" there", -0.25)));
    assertThat(response.text()).isEqualTo("Hi there");
    assertThat(response.logprobs())
        .containsExactly(new Logprob("Hi", -0.0123), new Logprob(" there", -0.25));
  }

  @Test
  void aToolResultCompletesTheLoopAsOllamasHistoryExample() throws Exception {
    replay("tools-logprobs/chat-tools");
    ToolCall call = new ToolCall("call_k3v9x0qa", "get_temperature", "{\"city\":\"Toronto\"}");

    client.chat(
        ChatRequest.builder(
                "llama3.2",
                List.of(
                    ChatMessage.user("what is the weather in Toronto?"),
                    ChatMessage.assistant("", List.of(call)),
                    ChatMessage.toolResult(call, "11 degrees celsius")))
            .tools(List.of(WEATHER))
            .build());

    assertThat(JSON.readTree(server.requestBodies().get(0)).get("messages"))
        .isEqualTo(
            JSON.readTree(
                """
                [{"role": "user", "content": "what is the weather in Toronto?"},
                 {"role": "assistant", "content": "",
                  "tool_calls": [{"id": "call_k3v9x0qa",
                                  "function": {"name": "get_temperature",
                                               "arguments": {"city": "Toronto"}}}]},
                 {"role": "tool", "content": "11 degrees celsius",
                  "tool_name": "get_temperature", "tool_call_id": "call_k3v9x0qa"}]
                """));
  }

  @Test
  void toolParametersThatAreNotJsonAreRefusedBeforeSending() {
    replay("tools-logprobs/chat-tools");
    ChatRequest request =
        ChatRequest.builder("llama3.2", List.of(ChatMessage.user("hi")))
            .tools(List.of(ToolDefinition.function("broken", null, "{\"type\": ")))
            .build();

    assertThatThrownBy(() -> client.chat(request))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("parameters of tool broken are not valid JSON");
    assertThat(server.requestBodies()).isEmpty();
  }

  @Test
  void aToolCallWithoutAFunctionNameIsAMalformedAnswer() {
    assertThatThrownBy(
            () ->
                NdjsonParsing.parseStream(
                    List.of(
                        "{\"message\":{\"role\":\"assistant\",\"content\":\"\","
                            + "\"tool_calls\":[{\"function\":{\"arguments\":{}}}]},\"done\":true}"),
                    "llama3.2"))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessage(
            "Ollama sent a tool call without a function name: {\"function\":{\"arguments\":{}}}");
  }

  @Test
  void topLogprobsOutsideOllamasRangeIsRefused() {
    assertThatThrownBy(
            () -> ChatRequest.builder("llama3.2", List.of(ChatMessage.user("hi"))).logprobs(21))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("top_logprobs must be between 0 and 20, not 21");
  }

  private static ChatRequest toolRequest() {
    return ChatRequest.builder(
            "llama3.2", List.of(ChatMessage.user("what is the weather in tokyo?")))
        .tools(List.of(WEATHER))
        .build();
  }

  /** Records tool calls and log probabilities as well as tokens. */
  private static final class ToolRecorder extends RecordingListener {
    final List<List<ToolCall>> toolCalls = new CopyOnWriteArrayList<>();
    final List<List<Logprob>> logprobs = new CopyOnWriteArrayList<>();

    @Override
    public void onToolCalls(List<ToolCall> calls) {
      toolCalls.add(calls);
    }

    @Override
    public void onLogprobs(List<Logprob> probs) {
      logprobs.add(probs);
    }
  }
}
