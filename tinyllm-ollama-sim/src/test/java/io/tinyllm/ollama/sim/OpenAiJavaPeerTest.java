package io.tinyllm.ollama.sim;

import static io.tinyllm.ollama.sim.PeerFixture.EMBEDDING_MODEL;
import static io.tinyllm.ollama.sim.PeerFixture.MODEL;
import static io.tinyllm.ollama.sim.PeerFixture.PING;
import static io.tinyllm.ollama.sim.PeerFixture.PONG;
import static io.tinyllm.ollama.sim.PeerFixture.WEATHER_ANSWER;
import static io.tinyllm.ollama.sim.PeerFixture.WEATHER_QUESTION;
import static io.tinyllm.ollama.sim.PeerFixture.WEATHER_RESULT;
import static io.tinyllm.ollama.sim.PeerFixture.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenAI's official Java SDK (openai-java), pointed at the simulator's {@code /v1}. */
class OpenAiJavaPeerTest {
  private static final FunctionDefinition WEATHER_TOOL =
      FunctionDefinition.builder()
          .name("get_weather")
          .description("Get the weather in a given city")
          .parameters(
              FunctionParameters.builder()
                  .putAdditionalProperty("type", JsonValue.from("object"))
                  .putAdditionalProperty(
                      "properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                  .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                  .build())
          .build();

  private static OllamaSimulator sim;
  private static OpenAIClient openAi;

  @BeforeAll
  static void start() throws Exception {
    sim = PeerFixture.start();
    openAi =
        OpenAIOkHttpClient.builder()
            .baseUrl(sim.baseUri().resolve("/v1").toString())
            .apiKey("ollama") // required by the SDK, ignored by Ollama
            .maxRetries(0)
            .build();
  }

  @AfterAll
  static void stop() {
    openAi.close();
    sim.close();
  }

  @Test
  void chat() {
    ChatCompletion completion = openAi.chat().completions().create(chat(PING).build());

    assertThat(completion.model()).isEqualTo(MODEL);
    ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.message().content()).contains(PONG);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(tokens(PONG));
    assertThat(completion.usage().orElseThrow().promptTokens()).isGreaterThan(20);
  }

  @Test
  void chatStreamedWithUsage() {
    StringBuilder text = new StringBuilder();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    ChatCompletionCreateParams params =
        chat(PING)
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();

    try (StreamResponse<ChatCompletionChunk> stream =
        openAi.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }

    chunks.stream()
        .flatMap(chunk -> chunk.choices().stream())
        .forEach(choice -> choice.delta().content().ifPresent(text::append));
    assertThat(text).hasToString(PONG);
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(tokens(PONG));
    assertThat(chunks.get(chunks.size() - 2).choices().get(0).finishReason())
        .contains(ChatCompletionChunk.Choice.FinishReason.STOP);
  }

  @Test
  void toolCallsAndTheirResult() {
    ChatCompletion call =
        openAi
            .chat()
            .completions()
            .create(chat(WEATHER_QUESTION).addFunctionTool(WEATHER_TOOL).build());

    ChatCompletion.Choice choice = call.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    ChatCompletionMessage message = choice.message();
    ChatCompletionMessageFunctionToolCall weather =
        message.toolCalls().orElseThrow().get(0).asFunction();
    assertThat(weather.function().name()).isEqualTo("get_weather");
    assertThat(weather.function().arguments()).isEqualTo("{\"city\":\"Tokyo\"}");
    assertThat(weather.id()).startsWith("call_");

    ChatCompletion answer =
        openAi
            .chat()
            .completions()
            .create(
                chat(WEATHER_QUESTION)
                    .addFunctionTool(WEATHER_TOOL)
                    .addMessage(message)
                    .addMessage(
                        ChatCompletionToolMessageParam.builder()
                            .toolCallId(weather.id())
                            .content(WEATHER_RESULT)
                            .build())
                    .build());

    assertThat(answer.choices().get(0).message().content()).contains(WEATHER_ANSWER);
    assertThat(answer.choices().get(0).finishReason())
        .isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
  }

  @Test
  void completion() {
    Completion completion =
        openAi
            .completions()
            .create(
                CompletionCreateParams.builder().model(MODEL).prompt(PING).maxTokens(2).build());

    assertThat(completion.choices().get(0).text()).isEqualTo("pong,");
    assertThat(completion.choices().get(0).finishReason())
        .isEqualTo(com.openai.models.completions.CompletionChoice.FinishReason.LENGTH);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(2);
  }

  @Test
  void embeddings() {
    CreateEmbeddingResponse response =
        openAi
            .embeddings()
            .create(
                EmbeddingCreateParams.builder()
                    .model(EMBEDDING_MODEL)
                    .input("the sky is blue")
                    .build());

    assertThat(response.data()).hasSize(1);
    assertThat(response.data().get(0).embedding()).hasSize(768);
    assertThat(response.usage().promptTokens()).isEqualTo(tokens("the sky is blue"));
  }

  @Test
  void models() {
    List<Model> models = openAi.models().list().data();
    Model retrieved = openAi.models().retrieve(MODEL);

    assertThat(models).extracting(Model::id).contains(MODEL, "nomic-embed-text:latest");
    assertThat(retrieved.id()).isEqualTo(MODEL);
    assertThat(retrieved.ownedBy()).isEqualTo("library");
    assertThatThrownBy(() -> openAi.models().retrieve("nope:1b"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("model 'nope:1b' not found");
  }

  @Test
  void sixConcurrentChatsAreAllAnswered() throws Exception {
    openAi.chat().completions().create(chat(PING).build()); // loaded: the six wait for its slot

    List<String> answers =
        PeerFixture.sixAtOnce(
            sim,
            () ->
                openAi
                    .chat()
                    .completions()
                    .create(chat(PING).build())
                    .choices()
                    .get(0)
                    .message()
                    .content()
                    .orElseThrow());

    assertThat(answers).hasSize(6).containsOnly(PONG);
  }

  private static ChatCompletionCreateParams.Builder chat(String question) {
    return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(question);
  }
}
