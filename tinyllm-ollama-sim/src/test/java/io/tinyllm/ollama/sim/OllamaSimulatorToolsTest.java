package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scripted tool calls and log probabilities, in the shapes Ollama 0.13.5 writes (api/types.go
 * {@code ToolCall}, {@code Logprob}; server/routes.go ChatHandler).
 */
class OllamaSimulatorToolsTest {
  private static final String WEATHER_TOOL =
      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
          + "\"description\":\"Get the weather in a given city\",\"parameters\":{\"type\":\"object\","
          + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";
  private static final String ASK =
      "\"messages\":[{\"role\":\"user\",\"content\":\"what is the weather in tokyo?\"}]";

  private static OllamaSimulator sim;
  private static SimClient client;

  @BeforeAll
  static void start() throws Exception {
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder()
                .timeScale(0.01)
                .model(SimulatedModel.embedding("embed-only", 8).build())
                .cannedAnswer(
                    "what is the weather in tokyo?",
                    "tool_calls:[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}]")
                .cannedAnswer("broken", "tool_calls:{not json")
                .build());
    client = new SimClient(sim.baseUri());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void aToolCapableModelAnswersWithTheScriptedCalls() {
    JsonNode answer =
        client
            .post(
                "/api/chat",
                "{\"model\":\"qwen2.5:0.5b\",\"stream\":false," + ASK + "," + WEATHER_TOOL + "}")
            .json();

    JsonNode message = answer.get("message");
    assertThat(message.get("content").asText()).isEmpty();
    assertThat(message.get("tool_calls")).hasSize(1);
    JsonNode call = message.get("tool_calls").get(0);
    assertThat(call.get("id").asText()).matches("call_[a-z0-9]{8}");
    assertThat(call.get("function"))
        .isEqualTo(
            json("{\"index\":0,\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}"));
    // the model generated the call's tokens
    assertThat(answer.get("eval_count").asInt()).isPositive();
    assertThat(answer.get("done_reason").asText()).isEqualTo("stop");
  }

  @Test
  void streamedTheCallsComeInOneChunkBeforeTheFinalOne() {
    List<JsonNode> lines =
        client
            .post("/api/chat", "{\"model\":\"qwen2.5:0.5b\"," + ASK + "," + WEATHER_TOOL + "}")
            .lines();

    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).path("done").asBoolean()).isFalse();
    assertThat(lines.get(0).at("/message/content").asText()).isEmpty();
    assertThat(lines.get(0).at("/message/tool_calls/0/function/name").asText())
        .isEqualTo("get_weather");
    assertThat(lines.get(1).path("done").asBoolean()).isTrue();
    assertThat(lines.get(1).at("/message").has("tool_calls")).isFalse();
  }

  @Test
  void withoutToolsTheModelAnswersTheCallsAsText() {
    JsonNode answer =
        client
            .post("/api/chat", "{\"model\":\"qwen2.5:0.5b\",\"stream\":false," + ASK + "}")
            .json();

    assertThat(answer.at("/message/content").asText())
        .isEqualTo("[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}]");
    assertThat(answer.at("/message").has("tool_calls")).isFalse();
  }

  @Test
  void aMalformedScriptIsA500NamingIt() {
    SimClient.Reply reply =
        client.post(
            "/api/chat",
            "{\"model\":\"qwen2.5:0.5b\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"broken\"}],"
                + WEATHER_TOOL
                + "}");

    assertThat(reply.status()).isEqualTo(500);
    assertThat(reply.error()).contains("not tool_calls: followed by a JSON array");
  }

  @Test
  void streamedLogprobsComeWithEachTokenAndWholeAnswersGatherThem() {
    String body =
        "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"hi\",\"logprobs\":true,\"top_logprobs\":3";
    List<JsonNode> lines = client.post("/api/generate", body + "}").lines();
    JsonNode whole = client.post("/api/generate", body + ",\"stream\":false}").json();

    List<JsonNode> streamed = new ArrayList<>();
    for (JsonNode line : lines.subList(0, lines.size() - 1)) {
      assertThat(line.get("logprobs")).hasSize(1);
      JsonNode entry = line.get("logprobs").get(0);
      assertThat(entry.get("token").asText()).isEqualTo(line.get("response").asText());
      assertThat(entry.get("logprob").asDouble()).isBetween(-0.5, 0.0);
      assertThat(entry.get("top_logprobs")).hasSize(3);
      assertThat(entry.get("top_logprobs").get(0).get("token")).isEqualTo(entry.get("token"));
      assertThat(entry.get("top_logprobs").get(1).get("logprob").asDouble())
          .isLessThan(entry.get("logprob").asDouble());
      streamed.add(entry);
    }
    assertThat(lines.get(lines.size() - 1).has("logprobs")).isFalse();
    assertThat(whole.get("logprobs")).containsExactlyElementsOf(streamed);
    assertThat(streamed).hasSize(whole.get("eval_count").asInt());
    JsonNode first = streamed.get(0);
    assertThat(first.get("bytes")).hasSize(first.get("token").asText().getBytes().length);
  }

  @Test
  void logprobsAreLeftOutUnlessAsked() {
    JsonNode whole =
        client
            .post(
                "/api/generate", "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"hi\",\"stream\":false}")
            .json();

    assertThat(whole.has("logprobs")).isFalse();
  }

  @Test
  void topLogprobsOutsideZeroToTwentyIsRefusedAsOllamaDoes() {
    for (String endpoint : List.of("/api/generate", "/api/chat")) {
      SimClient.Reply reply =
          client.post(
              endpoint, "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"hi\",\"top_logprobs\":21}");

      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.body()).isEqualTo("{\"error\":\"top_logprobs must be between 0 and 20\"}");
    }
  }

  private static JsonNode json(String text) {
    try {
      return SimClient.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
