package io.tinyllm.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.ResponseFormat;
import io.tinyllm.api.llm.ToolCall;
import io.tinyllm.api.llm.ToolDefinition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CacheKeysTest {
  private static final GenerationOptions GREEDY =
      GenerationOptions.builder().temperature(0.0).build();
  private static final GenerateRequest BASE =
      GenerateRequest.builder("qwen2.5:0.5b", "2+2?").system("Be brief.").options(GREEDY).build();

  @Test
  void theCanonicalTextIsPinned() {
    assertThat(CacheKeys.canonical(BASE))
        .isEqualTo(
            """
            tinyllm-cache-key/1
            kind=8:generate
            model=12:qwen2.5:0.5b
            system=9:Be brief.
            prompt=4:2+2?
            temperature=1:0
            top_p=-
            top_k=-
            num_predict=-
            seed=-
            num_ctx=-
            stop=4:l0[]
            extra=4:m0{}
            format=-
            think=-
            """);
    assertThat(CacheKeys.of(BASE)).matches("[0-9a-f]{64}");
  }

  @Test
  void whatDoesNotChangeTheAnswerDoesNotChangeTheKey() {
    assertThat(CacheKeys.of(BASE.toBuilder().keepAlive("10m").build()))
        .isEqualTo(CacheKeys.of(BASE));
    assertThat(
            CacheKeys.of(
                BASE.toBuilder()
                    .options(
                        GREEDY.toBuilder()
                            .extra(Map.of("repeat_penalty", 1, "mirostat", 0))
                            .build())
                    .build()))
        .isEqualTo(
            CacheKeys.of(
                BASE.toBuilder()
                    .options(
                        GREEDY.toBuilder()
                            .extra(Map.of("mirostat", 0.0, "repeat_penalty", 1.00))
                            .build())
                    .build()));
  }

  @Test
  void everythingThatChangesTheAnswerChangesTheKey() {
    Set<String> keys =
        Stream.of(
                BASE,
                BASE.toBuilder().model("llama3.2:1b").build(),
                BASE.toBuilder().prompt("3+3?").build(),
                BASE.toBuilder().system(null).build(),
                BASE.toBuilder().system("").build(),
                BASE.toBuilder().options(GREEDY.toBuilder().seed(1).build()).build(),
                BASE.toBuilder().options(GREEDY.toBuilder().topP(0.9).build()).build(),
                BASE.toBuilder().options(GREEDY.toBuilder().topK(40).build()).build(),
                BASE.toBuilder().options(GREEDY.toBuilder().numPredict(8).build()).build(),
                BASE.toBuilder().options(GREEDY.toBuilder().numCtx(4096).build()).build(),
                BASE.toBuilder().options(GREEDY.toBuilder().stop(List.of("\n")).build()).build(),
                BASE.toBuilder()
                    .options(GREEDY.toBuilder().extra(Map.of("repeat_penalty", 1.1)).build())
                    .build(),
                BASE.toBuilder().format(ResponseFormat.json()).build(),
                BASE.toBuilder().format(ResponseFormat.schema("{\"type\":\"object\"}")).build(),
                BASE.toBuilder().think(true).build(),
                BASE.toBuilder().think(false).build())
            .map(CacheKeys::of)
            .collect(Collectors.toSet());

    assertThat(keys).hasSize(16);
  }

  @Test
  void toolsLogprobsAndToolMessagesChangeAChatKey() {
    ChatRequest chat =
        ChatRequest.builder("llama3.2", List.of(ChatMessage.user("weather in Tokyo?")))
            .options(GREEDY)
            .build();
    ToolDefinition weather = ToolDefinition.function("get_weather", null, "{\"type\":\"object\"}");
    ToolCall call = new ToolCall("call_1", "get_weather", "{\"city\":\"Tokyo\"}");
    List<ChatMessage> loop =
        List.of(
            ChatMessage.user("weather in Tokyo?"),
            ChatMessage.assistant("", List.of(call)),
            ChatMessage.toolResult(call, "11 degrees"));
    Set<String> keys =
        Stream.of(
                chat,
                chat.toBuilder().tools(List.of(weather)).build(),
                chat.toBuilder()
                    .tools(
                        List.of(
                            ToolDefinition.function(
                                "get_weather", "Weather", "{\"type\":\"object\"}")))
                    .build(),
                chat.toBuilder()
                    .tools(
                        List.of(ToolDefinition.function("get_time", null, "{\"type\":\"object\"}")))
                    .build(),
                chat.toBuilder().logprobs(0).build(),
                chat.toBuilder().logprobs(3).build(),
                chat.toBuilder().messages(loop).build(),
                chat.toBuilder()
                    .messages(
                        List.of(
                            loop.get(0),
                            ChatMessage.assistant("", List.of()),
                            ChatMessage.toolResult(call, "11 degrees")))
                    .build(),
                chat.toBuilder()
                    .messages(
                        List.of(
                            loop.get(0),
                            loop.get(1),
                            ChatMessage.toolResult("get_weather", "11 degrees")))
                    .build())
            .map(CacheKeys::of)
            .collect(Collectors.toSet());

    assertThat(keys).hasSize(9);
    // without tools or logprobs, a chat keeps the key it had before they existed
    assertThat(CacheKeys.canonical(chat)).doesNotContain("tool").doesNotContain("logprobs");
    assertThat(CacheKeys.canonical(GenerateRequest.builder("m", "p").logprobs(2).build()))
        .endsWith("think=-\nlogprobs=1:2\n");
  }

  @Test
  void lengthPrefixesKeepFieldBoundaries() {
    GenerateRequest a = BASE.toBuilder().system("a\nprompt=1:b").prompt("c").build();
    GenerateRequest b = BASE.toBuilder().system("a").prompt("b\nprompt=1:c").build();

    assertThat(CacheKeys.of(a)).isNotEqualTo(CacheKeys.of(b));
  }

  @Test
  void chatKeysDependOnRolesAndOrderAndDifferFromGenerate() {
    ChatRequest chat =
        new ChatRequest(
            "qwen2.5:0.5b",
            List.of(ChatMessage.system("Be brief."), ChatMessage.user("2+2?")),
            GREEDY,
            null,
            null,
            null);
    ChatRequest swapped =
        new ChatRequest(
            "qwen2.5:0.5b",
            List.of(ChatMessage.user("2+2?"), ChatMessage.system("Be brief.")),
            GREEDY,
            null,
            null,
            null);
    ChatRequest asAssistant =
        new ChatRequest(
            "qwen2.5:0.5b",
            List.of(ChatMessage.system("Be brief."), ChatMessage.assistant("2+2?")),
            GREEDY,
            null,
            null,
            null);

    assertThat(
            Set.of(
                CacheKeys.of(chat),
                CacheKeys.of(swapped),
                CacheKeys.of(asAssistant),
                CacheKeys.of(BASE)))
        .hasSize(4);
    assertThat(CacheKeys.of(chat)).isEqualTo(CacheKeys.of(chat.withOptions(GREEDY)));
  }
}
