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

import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessage;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResponseModel;
import io.github.ollama4j.models.chat.OllamaChatResult;
import io.github.ollama4j.models.embed.OllamaEmbedRequest;
import io.github.ollama4j.models.embed.OllamaEmbedResult;
import io.github.ollama4j.models.generate.OllamaGenerateRequest;
import io.github.ollama4j.models.generate.OllamaGenerateStreamObserver;
import io.github.ollama4j.models.request.ThinkMode;
import io.github.ollama4j.models.response.OllamaResult;
import io.github.ollama4j.tools.Tools;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ollama4j 1.1.6, as a user would call it, against the simulator. */
class Ollama4jPeerTest {
  private static OllamaSimulator sim;
  private static Ollama ollama;

  @BeforeAll
  static void start() throws Exception {
    sim = PeerFixture.start();
    ollama = new Ollama(sim.baseUri().toString());
    ollama.setMetricsEnabled(false);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void generate() throws Exception {
    OllamaResult result = ollama.generate(generateRequest(false), null);

    assertThat(result.getResponse()).isEqualTo(PONG);
    assertThat(result.getDoneReason()).isEqualTo("stop");
    assertThat(result.getEvalCount()).isEqualTo(tokens(PONG));
    assertThat(result.getPromptEvalCount()).isGreaterThan(20); // the rendered template
  }

  @Test
  void generateStreamed() throws Exception {
    List<String> tokens = new CopyOnWriteArrayList<>();

    OllamaResult result =
        ollama.generate(generateRequest(true), new OllamaGenerateStreamObserver(null, tokens::add));

    assertThat(String.join("", tokens)).isEqualTo(PONG);
    assertThat(tokens).hasSize(tokens(PONG));
    assertThat(result.getResponse()).isEqualTo(PONG);
  }

  @Test
  void chat() throws Exception {
    OllamaChatResult result = ollama.chat(chatRequest(PING), null);

    OllamaChatResponseModel response = result.getResponseModel();
    assertThat(response.getMessage().getResponse()).isEqualTo(PONG);
    assertThat(response.getEvalCount()).isEqualTo(tokens(PONG));
    assertThat(response.getPromptEvalCount()).isGreaterThan(20);
  }

  @Test
  void chatStreamed() throws Exception {
    List<String> tokens = new CopyOnWriteArrayList<>();

    OllamaChatResult result =
        ollama.chat(
            chatRequest(PING),
            chunk -> {
              if (!chunk.isDone()) {
                tokens.add(chunk.getMessage().getResponse());
              }
            });

    assertThat(String.join("", tokens)).isEqualTo(PONG);
    assertThat(tokens).hasSize(tokens(PONG));
    assertThat(result.getResponseModel().getEvalCount()).isEqualTo(tokens(PONG));
  }

  @Test
  void embed() throws Exception {
    OllamaEmbedResult result =
        ollama.embed(new OllamaEmbedRequest(EMBEDDING_MODEL, List.of("the sky is blue", "grass")));

    assertThat(result.getEmbeddings()).hasSize(2);
    assertThat(result.getEmbeddings().get(0)).hasSize(768);
    double norm = 0;
    for (double v : result.getEmbeddings().get(0)) {
      norm += v * v;
    }
    assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(result.getPromptEvalCount()).isEqualTo(tokens("the sky is blue") + tokens("grass"));
  }

  @Test
  void toolsAreCalledWithTheScriptedArgumentsAndTheirResultAnswered() throws Exception {
    List<Map<String, Object>> calls = new CopyOnWriteArrayList<>();
    Tools.Tool weather =
        Tools.Tool.builder()
            .type("function")
            .toolSpec(
                Tools.ToolSpec.builder()
                    .name("get_weather")
                    .description("Get the weather in a given city")
                    .parameters(
                        Tools.Parameters.of(
                            Map.of(
                                "city",
                                Tools.Property.builder()
                                    .type("string")
                                    .description("the city")
                                    .required(true)
                                    .build())))
                    .build())
            .toolFunction(
                arguments -> {
                  calls.add(arguments);
                  return WEATHER_RESULT;
                })
            .build();
    OllamaChatRequest request =
        chatRequest(WEATHER_QUESTION)
            .withTools(new ArrayList<>(List.of(weather)))
            .withUseTools(true);

    OllamaChatResult result = ollama.chat(request, null);

    assertThat(calls).containsExactly(Map.of("city", "Tokyo"));
    assertThat(result.getResponseModel().getMessage().getResponse()).isEqualTo(WEATHER_ANSWER);
    List<OllamaChatMessage> history = result.getChatHistory();
    assertThat(history).extracting(m -> m.getRole().getRoleName()).contains("tool");
  }

  @Test
  void sixConcurrentChatsAreAllAnswered() throws Exception {
    ollama.chat(chatRequest(PING), null); // loaded: the six wait for its slot, not for a load

    List<String> answers =
        PeerFixture.sixAtOnce(
            sim,
            () ->
                ollama.chat(chatRequest(PING), null).getResponseModel().getMessage().getResponse());

    assertThat(answers).hasSize(6).containsOnly(PONG);
  }

  private static OllamaGenerateRequest generateRequest(boolean stream) {
    return OllamaGenerateRequest.builder()
        .withModel(MODEL)
        .withPrompt(PING)
        .withThink(ThinkMode.DISABLED) // generate() fails on a null think mode
        .withStreaming(stream)
        .build();
  }

  private static OllamaChatRequest chatRequest(String question) {
    return OllamaChatRequest.builder()
        .withModel(MODEL)
        .withMessage(OllamaChatMessageRole.USER, question)
        .build();
  }
}
