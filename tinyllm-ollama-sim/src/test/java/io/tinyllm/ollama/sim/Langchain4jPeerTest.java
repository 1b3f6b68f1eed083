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

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import dev.langchain4j.model.ollama.OllamaLanguageModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** langchain4j-ollama 1.11.0, as a user would call it, against the simulator. */
class Langchain4jPeerTest {
  private static final ToolSpecification WEATHER_TOOL =
      ToolSpecification.builder()
          .name("get_weather")
          .description("Get the weather in a given city")
          .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build())
          .build();

  private static OllamaSimulator sim;
  private static String baseUrl;

  @BeforeAll
  static void start() throws Exception {
    sim = PeerFixture.start();
    baseUrl = sim.baseUri().toString();
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void generate() {
    OllamaLanguageModel model =
        OllamaLanguageModel.builder().baseUrl(baseUrl).modelName(MODEL).build();

    Response<String> response = model.generate(PING);

    assertThat(response.content()).isEqualTo(PONG);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(tokens(PONG));
    assertThat(response.tokenUsage().inputTokenCount()).isGreaterThan(20);
    // (its language model reports no finish reason)
  }

  @Test
  void chat() {
    ChatResponse response =
        chatModel().chat(ChatRequest.builder().messages(UserMessage.from(PING)).build());

    assertThat(response.aiMessage().text()).isEqualTo(PONG);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(tokens(PONG));
    assertThat(response.tokenUsage().inputTokenCount()).isGreaterThan(20);
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @Test
  void chatStreamed() throws Exception {
    OllamaStreamingChatModel model =
        OllamaStreamingChatModel.builder().baseUrl(baseUrl).modelName(MODEL).build();
    List<String> partials = new CopyOnWriteArrayList<>();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    model.chat(
        List.of(UserMessage.from(PING)),
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String token) {
            partials.add(token);
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });

    ChatResponse response = done.get(30, TimeUnit.SECONDS);
    assertThat(String.join("", partials)).isEqualTo(PONG);
    assertThat(partials).hasSize(tokens(PONG));
    assertThat(response.aiMessage().text()).isEqualTo(PONG);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(tokens(PONG));
  }

  @Test
  void embed() {
    OllamaEmbeddingModel model =
        OllamaEmbeddingModel.builder().baseUrl(baseUrl).modelName(EMBEDDING_MODEL).build();

    Response<List<Embedding>> response =
        model.embedAll(List.of(TextSegment.from("the sky is blue"), TextSegment.from("grass")));

    assertThat(response.content()).hasSize(2);
    assertThat(response.content().get(0).dimension()).isEqualTo(768);
    assertThat(model.dimension()).isEqualTo(768);
    // the same text gives the same vector, a different one another
    assertThat(model.embed("grass").content().vector())
        .containsExactly(response.content().get(1).vector());
    assertThat(response.content().get(0).vector()).isNotEqualTo(response.content().get(1).vector());
  }

  @Test
  void toolsAreRequestedAndTheirResultAnswered() {
    OllamaChatModel model = chatModel();
    UserMessage question = UserMessage.from(WEATHER_QUESTION);

    ChatResponse call =
        model.chat(
            ChatRequest.builder().messages(question).toolSpecifications(WEATHER_TOOL).build());

    assertThat(call.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    AiMessage request = call.aiMessage();
    assertThat(request.toolExecutionRequests()).hasSize(1);
    ToolExecutionRequest weather = request.toolExecutionRequests().get(0);
    assertThat(weather.name()).isEqualTo("get_weather");
    assertThat(weather.arguments()).isEqualTo("{\"city\":\"Tokyo\"}");

    ChatResponse answer =
        model.chat(
            ChatRequest.builder()
                .messages(
                    question, request, ToolExecutionResultMessage.from(weather, WEATHER_RESULT))
                .toolSpecifications(WEATHER_TOOL)
                .build());

    assertThat(answer.aiMessage().text()).isEqualTo(WEATHER_ANSWER);
    assertThat(answer.aiMessage().hasToolExecutionRequests()).isFalse();
  }

  @Test
  void sixConcurrentChatsAreAllAnswered() throws Exception {
    OllamaChatModel model = chatModel();
    model.chat(PING); // loaded: the six wait for its slot, not for a load

    List<String> answers = PeerFixture.sixAtOnce(sim, () -> model.chat(PING));

    assertThat(answers).hasSize(6).containsOnly(PONG);
  }

  private static OllamaChatModel chatModel() {
    return OllamaChatModel.builder()
        .baseUrl(baseUrl)
        .modelName(MODEL)
        .timeout(Duration.ofSeconds(30))
        .build();
  }
}
