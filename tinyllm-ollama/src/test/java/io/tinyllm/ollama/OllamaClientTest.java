package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.ResponseFormat;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.ollama.sim.SimulatedModel;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every operation of the client, streaming and not, over HTTP against the simulator. */
class OllamaClientTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final String THINKER = "thinker:1b";

  private ClientFixture f;

  @BeforeEach
  void start() {
    f =
        ClientFixture.start(
            SimulatorConfig.builder()
                .timeScale(0.01)
                .model(SimulatedModel.thinking(THINKER).build())
                .cannedAnswer("ping", "pong is the answer")
                .build(),
            Map.of());
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void generateReturnsTheAnswerAndTheServersFigures() {
    LlmResponse response = f.client.generate(GenerateRequest.builder(MODEL, "ping").build());

    assertThat(response.model()).isEqualTo(MODEL);
    assertThat(response.text()).isEqualTo("pong is the answer");
    assertThat(response.doneReason()).isEqualTo("stop");
    // the rendered prompt: qwen2.5's system prompt (20 tokens), "<|im_start|>user\n" (3),
    // "ping", "<|im_end|>\n" (2) and "<|im_start|>assistant\n" (3)
    assertThat(response.promptTokens()).isEqualTo(29);
    assertThat(response.outputTokens()).isEqualTo(4);
    assertThat(response.totalDuration()).isPositive();
    assertThat(response.evalDuration()).isPositive();
    assertThat(response.promptEvalDuration()).isPositive();
  }

  @Test
  void generateSendsSystemAndOptions() {
    GenerationOptions options =
        GenerationOptions.builder()
            .temperature(0.0)
            .topP(0.9)
            .topK(40)
            .numPredict(2)
            .seed(7)
            .numCtx(2048)
            .extra(Map.of("repeat_penalty", 1.1))
            .build();

    LlmResponse response =
        f.client.generate(
            GenerateRequest.builder(MODEL, "ping")
                .system("Be brief.")
                .options(options)
                .keepAlive("-1")
                .build());

    assertThat(response.text()).isEqualTo("pong is");
    assertThat(response.doneReason()).isEqualTo("length");
    assertThat(response.outputTokens()).isEqualTo(2);
    // "Be brief." replaces the default system prompt: 3 + 3 + 2, then the user turn 6 and 3
    assertThat(response.promptTokens()).isEqualTo(17);
  }

  @Test
  void stopSequencesCutTheAnswer() {
    LlmResponse response =
        f.client.generate(
            GenerateRequest.builder(MODEL, "ping")
                .options(GenerationOptions.builder().stop(List.of(" the")).build())
                .keepAlive("5m")
                .build());

    assertThat(response.text()).isEqualTo("pong is");
  }

  @Test
  void jsonFormatAndSchemaAreSentAsJson() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    LlmResponse free =
        f.client.generate(
            GenerateRequest.builder(MODEL, "tell me").format(ResponseFormat.json()).build());
    LlmResponse shaped =
        f.client.chat(
            new ChatRequest(
                MODEL,
                List.of(ChatMessage.user("tell me")),
                null,
                ResponseFormat.schema(
                    "{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\"}},"
                        + "\"required\":[\"age\"]}"),
                null,
                null));

    assertThat(mapper.readTree(free.text()).isObject()).isTrue();
    assertThat(mapper.readTree(shaped.text()).get("age").isInt()).isTrue();
  }

  @Test
  void chatAnswersTheLastUserMessage() {
    LlmResponse response =
        f.client.chat(
            ChatRequest.of(
                MODEL,
                List.of(
                    ChatMessage.system("Be brief."),
                    ChatMessage.user("hello"),
                    ChatMessage.assistant("hi"),
                    ChatMessage.user("ping"))));

    assertThat(response.text()).isEqualTo("pong is the answer");
    assertThat(response.outputTokens()).isEqualTo(4);
    // system 8 ("Be brief." in its turn), user 6, assistant 6, user 6, generation prompt 3
    assertThat(response.promptTokens()).isEqualTo(29);
  }

  @Test
  void generateStreamDeliversEveryTokenThenTheFinalResponse() throws Exception {
    RecordingListener listener = new RecordingListener();

    StreamHandle handle =
        f.client.generateStream(GenerateRequest.builder(MODEL, "ping").build(), listener);
    LlmResponse response = handle.completion().get(10, TimeUnit.SECONDS);
    listener.awaitEnd();

    assertThat(listener.tokens).containsExactly("pong", " is", " the", " answer");
    assertThat(listener.terminal).containsExactly(response);
    assertThat(response.text()).isEqualTo("pong is the answer");
    assertThat(response.outputTokens()).isEqualTo(4);
    assertThat(response.promptTokens()).isEqualTo(29); // as in the first test
    assertThat(response.doneReason()).isEqualTo("stop");
  }

  @Test
  void chatStreamDeliversThinkingAndAnswer() throws Exception {
    RecordingListener listener = new RecordingListener();

    LlmResponse response =
        f.client
            .chatStream(
                new ChatRequest(MODEL, List.of(ChatMessage.user("ping")), null, null, null, null),
                listener)
            .completion()
            .get(10, TimeUnit.SECONDS);
    RecordingListener thinker = new RecordingListener();
    LlmResponse thought =
        f.client
            .chatStream(
                new ChatRequest(THINKER, List.of(ChatMessage.user("ping")), null, null, null, true),
                thinker)
            .completion()
            .get(10, TimeUnit.SECONDS);

    assertThat(listener.text()).isEqualTo("pong is the answer");
    assertThat(response.text()).isEqualTo("pong is the answer");
    assertThat(thinker.thinking).isNotEmpty();
    assertThat(thought.thinking()).isEqualTo(String.join("", thinker.thinking));
    assertThat(thought.text()).isEqualTo("pong is the answer");
    assertThat(thought.outputTokens()).isEqualTo(thinker.thinking.size() + 4);
  }

  @Test
  void thinkingCanBeTurnedOff() {
    LlmResponse response =
        f.client.generate(GenerateRequest.builder(THINKER, "ping").think(false).build());

    assertThat(response.thinking()).isNull();
    assertThat(response.text()).isEqualTo("pong is the answer");
  }

  @Test
  void embedReturnsOneVectorPerInput() {
    EmbedResponse response =
        f.client.embed(EmbedRequest.of("nomic-embed-text", List.of("first text", "second")));

    assertThat(response.embeddings()).hasSize(2);
    assertThat(response.embeddings().get(0)).hasSize(768);
    assertThat(response.promptTokens()).isEqualTo(3);
    assertThat(response.embeddings().get(0)).isNotEqualTo(response.embeddings().get(1));
  }

  @Test
  void listsShowsAndDescribesModels() {
    List<LocalModel> installed = f.client.list();
    ModelInfo info = f.client.show(MODEL);

    assertThat(installed).extracting(LocalModel::name).contains(MODEL, THINKER);
    LocalModel qwen = installed.stream().filter(m -> m.name().equals(MODEL)).findFirst().get();
    assertThat(qwen.size()).isEqualTo(397_821_319L);
    assertThat(qwen.details().family()).isEqualTo("qwen2");
    assertThat(qwen.details().parameterSize()).isEqualTo("494.03M");
    assertThat(qwen.modifiedAt()).isNotNull();
    assertThat(info.capabilities()).contains("completion");
    assertThat(info.details().family()).isEqualTo("qwen2");
    assertThat(info.template()).isNotEmpty();
    assertThat(info.modelInfo()).containsKey("general.architecture");
  }

  @Test
  void runningListsLoadedModelsAndRefreshesTheInventoryGauges() {
    f.client.generate(GenerateRequest.builder(MODEL, "ping").build());

    List<RunningModel> running = f.client.running();

    assertThat(running).extracting(RunningModel::name).containsExactly(MODEL);
    assertThat(running.get(0).sizeVram()).isPositive();
    assertThat(running.get(0).expiresAt()).isNotNull();
    assertThat(f.samples("tinyllm_ollama_models_loaded"))
        .isEqualTo("tinyllm_ollama_models_loaded 1.0\n");
    assertThat(f.value("tinyllm_ollama_model_vram_bytes{model=\"qwen2.5:0.5b\"}"))
        .isEqualTo((double) running.get(0).sizeVram());
    assertThat(f.value("tinyllm_ollama_model_size_bytes{model=\"qwen2.5:0.5b\"}"))
        .isEqualTo((double) running.get(0).size());

    f.sim.unloadAll();
    f.client.running();
    assertThat(f.samples("tinyllm_ollama_models_loaded"))
        .isEqualTo("tinyllm_ollama_models_loaded 0.0\n");
    assertThat(f.samples("tinyllm_ollama_model_vram_bytes")).isEmpty();
  }

  @Test
  void pullReportsProgressAndShowsItInTheGaugesWhileRunning() {
    List<PullProgress> reports = new ArrayList<>();
    List<String> gaugesDuringPull = new ArrayList<>();

    f.client.pull(
        "llama3.2:1b",
        p -> {
          reports.add(p);
          if (p.digest() != null) {
            gaugesDuringPull.add(f.samples("tinyllm_ollama_pull_completed_bytes"));
          }
        });

    assertThat(reports.get(0).status()).isEqualTo("pulling manifest");
    assertThat(reports.get(reports.size() - 1).isSuccess()).isTrue();
    PullProgress layer = reports.stream().filter(p -> p.total() > 0).findFirst().get();
    assertThat(layer.model()).isEqualTo("llama3.2:1b");
    assertThat(layer.digest()).startsWith("sha256:");
    assertThat(reports).anyMatch(p -> p.total() > 0 && p.completed() == p.total());
    assertThat(gaugesDuringPull).isNotEmpty().allMatch(s -> s.contains("model=\"llama3.2:1b\""));
    assertThat(f.samples("tinyllm_ollama_pull_completed_bytes")).isEmpty();
    assertThat(f.client.list()).extracting(LocalModel::name).contains("llama3.2:1b");
  }

  @Test
  void pullOfAnUnknownModelFails() {
    assertThatThrownBy(() -> f.client.pull("no-such-model:1b", p -> {}))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining("no-such-model:1b")
        .hasMessageContaining("file does not exist");
    assertThat(f.samples("tinyllm_ollama_pull_completed_bytes")).isEmpty();
  }

  @Test
  void deleteRemovesAModel() {
    f.client.delete(THINKER);

    assertThat(f.client.list()).extracting(LocalModel::name).doesNotContain(THINKER);
    assertThatThrownBy(() -> f.client.delete(THINKER))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining(THINKER);
    assertThatThrownBy(() -> f.client.show(THINKER)).isInstanceOf(ModelNotFoundException.class);
  }

  @Test
  void versionAndHealth() {
    assertThat(f.client.version()).isEqualTo("0.13.5");
    assertThat(f.client.health()).isEqualTo(new OllamaHealth(true, "Ollama is running"));
  }

  @Test
  void healthOfAStoppedServerSaysWhy() {
    f.sim.close();

    OllamaHealth health = f.client.health();

    assertThat(health.healthy()).isFalse();
    assertThat(health.detail()).contains("ollama serve");
  }
}
