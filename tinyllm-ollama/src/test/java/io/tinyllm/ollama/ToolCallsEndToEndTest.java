package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.ToolCall;
import io.tinyllm.api.llm.ToolDefinition;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A whole tool-calling loop, with log probabilities, through the client and the simulator. */
class ToolCallsEndToEndTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final ToolDefinition WEATHER =
      ToolDefinition.function(
          "get_weather",
          "Get the weather in a given city",
          "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");

  private ClientFixture f;

  @BeforeEach
  void start() {
    f =
        ClientFixture.start(
            SimulatorConfig.builder()
                .timeScale(0.01)
                .cannedAnswer(
                    "Weather in Tokyo?",
                    "tool_calls:[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}]")
                .cannedAnswer("11 degrees celsius", "It is 11 degrees in Tokyo.")
                .build(),
            Map.of());
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void aStreamedToolCallThenTheToolResultCompleteTheLoop() throws Exception {
    List<ToolCall> streamed = new CopyOnWriteArrayList<>();
    RecordingListener listener =
        new RecordingListener() {
          @Override
          public void onToolCalls(List<ToolCall> toolCalls) {
            streamed.addAll(toolCalls);
          }
        };
    List<ChatMessage> messages = new ArrayList<>(List.of(ChatMessage.user("Weather in Tokyo?")));

    LlmResponse first =
        f.client
            .chatStream(
                ChatRequest.builder(MODEL, messages).tools(List.of(WEATHER)).build(), listener)
            .completion()
            .get(10, TimeUnit.SECONDS);
    messages.add(ChatMessage.assistant(first.text(), first.toolCalls()));
    messages.add(ChatMessage.toolResult(first.toolCalls().get(0), "11 degrees celsius"));
    LlmResponse second =
        f.client.chat(ChatRequest.builder(MODEL, messages).tools(List.of(WEATHER)).build());

    assertThat(first.text()).isEmpty();
    assertThat(first.toolCalls()).hasSize(1).isEqualTo(streamed);
    assertThat(first.toolCalls().get(0).name()).isEqualTo("get_weather");
    assertThat(first.toolCalls().get(0).argumentsJson()).isEqualTo("{\"city\":\"Tokyo\"}");
    assertThat(first.toolCalls().get(0).id()).matches("call_[a-z0-9]{8}");
    assertThat(listener.tokens).isEmpty();
    assertThat(second.toolCalls()).isEmpty();
    assertThat(second.text()).isEqualTo("It is 11 degrees in Tokyo.");
    assertThat(f.samples("tinyllm_tool_calls_total"))
        .isEqualTo("tinyllm_tool_calls_total{graph=\"default\",model=\"qwen2.5:0.5b\"} 1.0\n");
    // a non-streamed tool-call answer counts too
    f.client.chat(
        ChatRequest.builder(MODEL, List.of(ChatMessage.user("Weather in Tokyo?")))
            .tools(List.of(WEATHER))
            .build());
    assertThat(f.samples("tinyllm_tool_calls_total"))
        .isEqualTo("tinyllm_tool_calls_total{graph=\"default\",model=\"qwen2.5:0.5b\"} 2.0\n");
  }

  @Test
  void logprobsComeWithEveryGeneratedToken() {
    LlmResponse answer =
        f.client.chat(
            ChatRequest.builder(MODEL, List.of(ChatMessage.user("hello"))).logprobs(2).build());

    assertThat(answer.logprobs()).hasSize((int) answer.outputTokens());
    assertThat(answer.logprobs().stream().map(Logprob::token).reduce("", String::concat))
        .isEqualTo(answer.text());
    assertThat(answer.logprobs()).allSatisfy(l -> assertThat(l.topLogprobs()).hasSize(2));
  }
}
