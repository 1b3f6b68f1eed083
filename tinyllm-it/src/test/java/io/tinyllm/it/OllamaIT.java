package io.tinyllm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.it.containers.OllamaContainer;
import io.tinyllm.it.containers.OllamaModels;
import io.tinyllm.it.support.MetricSamples;
import io.tinyllm.it.support.RequiresDocker;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.MetricsModule;
import io.tinyllm.ollama.LocalModel;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaModule;
import io.tinyllm.ollama.PullProgress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The real {@link OllamaClient}, wired by Guice as the CLI wires it, against an Ollama server in a
 * container: the simulator by default, Ollama itself with {@code
 * -Dtinyllm.it.image.ollama=ollama/ollama:<tag>}. Each test has a client and registry of its own,
 * so the metrics it checks are exactly those of its calls. Answers are checked for their shape and
 * for agreement with the metrics, never for their text, so the tests hold for a real model too.
 */
@RequiresDocker
@Testcontainers
class OllamaIT {
  private static final String GRAPH = "default";
  private static final String MISSING_MODEL = "tinyllm-it-missing:1b";
  private static final GenerationOptions SHORT =
      GenerationOptions.builder().temperature(0.0).seed(42).numPredict(32).build();

  @Container static final OllamaContainer ollama = new OllamaContainer();

  private final OllamaModels models = ollama.models();
  private final String chatLabel = OllamaModels.label(models.chat());
  private OllamaClient client;
  private MetricsCollector metrics;

  @BeforeEach
  void wire() {
    Injector injector =
        Guice.createInjector(
            Settings.module(Settings.of(Map.of("ollama.host", ollama.url()))),
            new MetricsModule(),
            new OllamaModule());
    client = injector.getInstance(OllamaClient.class);
    metrics = injector.getInstance(MetricsCollector.class);
  }

  @AfterEach
  void close() {
    client.close();
    metrics.close();
  }

  @Test
  void generateAnswersAndRecordsTheCallAndItsTokens() {
    LlmResponse answer =
        client.generate(
            GenerateRequest.builder(models.chat(), "Why is the sky blue?").options(SHORT).build());

    assertCompleted(answer);
    MetricSamples samples = samples();
    assertThat(requestsByType(samples)).containsExactly(Map.entry("generate", 1.0));
    assertTokensAndOutcomes(samples, List.of(answer));
    assertThat(samples.sum("tinyllm_output_tokens_per_second_count", "model", chatLabel))
        .isEqualTo(1);
    assertThat(samples.sum("tinyllm_time_to_first_token_seconds_count")).isZero();
  }

  @Test
  void chatAnswersAndRecordsTheCallAndItsTokens() {
    LlmResponse answer =
        client.chat(
            ChatRequest.of(
                    models.chat(),
                    List.of(
                        ChatMessage.system("Answer in one sentence."),
                        ChatMessage.user("Name a river.")))
                .withOptions(SHORT));

    assertCompleted(answer);
    MetricSamples samples = samples();
    assertThat(requestsByType(samples)).containsExactly(Map.entry("chat", 1.0));
    assertTokensAndOutcomes(samples, List.of(answer));
  }

  @Test
  void streamsDeliverTheirTokensInOrderThenTheFinalResponse() throws Exception {
    Collected generated = new Collected();
    StreamHandle generating =
        client.generateStream(
            GenerateRequest.builder(models.chat(), "Why is the sky blue?").options(SHORT).build(),
            generated);
    LlmResponse generateAnswer = generating.completion().get(5, TimeUnit.MINUTES);
    Collected chatted = new Collected();
    StreamHandle chatting =
        client.chatStream(
            ChatRequest.of(models.chat(), List.of(ChatMessage.user("Name a river.")))
                .withOptions(SHORT),
            chatted);
    LlmResponse chatAnswer = chatting.completion().get(5, TimeUnit.MINUTES);

    for (Collected stream : List.of(generated, chatted)) {
      assertThat(stream.tokens).as("tokens streamed").isNotEmpty();
      assertThat(stream.completed).as("final response, exactly once").hasSize(1);
      assertThat(stream.errors).isEmpty();
      LlmResponse last = stream.completed.get(0);
      assertCompleted(last);
      // the final response came after every token, and the tokens, in arrival order, are its text
      assertThat(stream.tokensAtCompletion).isEqualTo(stream.tokens.size());
      assertThat(String.join("", stream.tokens)).isEqualTo(last.text());
      assertThat(last.outputTokens()).isGreaterThanOrEqualTo(stream.tokens.size());
    }
    assertThat(generated.completed.get(0)).isEqualTo(generateAnswer);
    assertThat(chatted.completed.get(0)).isEqualTo(chatAnswer);

    MetricSamples samples = samples();
    assertThat(requestsByType(samples))
        .containsOnly(Map.entry("generate_stream", 1.0), Map.entry("chat_stream", 1.0));
    assertTokensAndOutcomes(samples, List.of(generateAnswer, chatAnswer));
    assertThat(samples.sum("tinyllm_time_to_first_token_seconds_count"))
        .as("one time to first token per stream")
        .isEqualTo(2);
    assertThat(
            samples.sum(
                "tinyllm_time_to_first_token_seconds_count", "model", chatLabel, "graph", GRAPH))
        .isEqualTo(2);
    assertThat(samples.sum("tinyllm_inter_token_latency_seconds_count", "model", chatLabel))
        .as("one gap between each two chunks of a stream")
        .isEqualTo(generated.tokens.size() - 1 + chatted.tokens.size() - 1);
  }

  @Test
  void theStreamedTokensSpellTheAnswerANonStreamedCallGets() throws Exception {
    // only the simulator promises the same answer to the same request; a real model may not
    assumeTrue(ollama.isSimulator(), "needs the simulator's deterministic answers");
    GenerateRequest request =
        GenerateRequest.builder(models.chat(), "Explain photosynthesis.").options(SHORT).build();
    Collected streamed = new Collected();

    client.generateStream(request, streamed).completion().get(1, TimeUnit.MINUTES);
    LlmResponse whole = client.generate(request);

    assertThat(String.join("", streamed.tokens)).isEqualTo(whole.text());
    assertThat(streamed.tokens).hasSize((int) whole.outputTokens());
  }

  @Test
  void embedReturnsOneUnitVectorPerInput() {
    String embedLabel = OllamaModels.label(models.embedding());

    EmbedResponse embedded =
        client.embed(
            EmbedRequest.of(models.embedding(), List.of("The sky is blue.", "Rivers flow.")));

    assertThat(embedded.embeddings()).hasSize(2);
    int dimensions = embedded.embeddings().get(0).length;
    assertThat(dimensions).isPositive();
    for (float[] vector : embedded.embeddings()) {
      assertThat(vector).hasSize(dimensions);
      double norm = 0;
      for (float x : vector) {
        norm += x * x;
      }
      assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-3));
    }
    assertThat(embedded.promptTokens()).isPositive();
    MetricSamples samples = samples();
    assertThat(requestsByType(samples)).containsExactly(Map.entry("embed", 1.0));
    assertThat(samples.sum("tinyllm_requests_total", "model", embedLabel, "graph", GRAPH))
        .isEqualTo(1);
    assertThat(samples.sum("tinyllm_tokens_input_total", "model", embedLabel))
        .isEqualTo(embedded.promptTokens());
    assertThat(samples.sum("tinyllm_tokens_output_total")).isZero();
    assertThat(samples.sum("tinyllm_request_outcomes_total", "outcome", "success")).isEqualTo(1);
    assertThat(samples.sum("tinyllm_errors_total")).isZero();
  }

  @Test
  void pullReportsEveryLayersProgressUntilSuccess() {
    String model = models.pullable();
    String label = OllamaModels.label(model);
    List<PullProgress> reports = new ArrayList<>();
    Map<String, Long> completedByLayer = new LinkedHashMap<>();
    List<String> gaugeMismatches = new ArrayList<>();

    client.pull(
        model,
        report -> {
          reports.add(report);
          if (report.digest() != null && report.total() > 0) {
            completedByLayer.put(report.digest(), report.completed());
            // the gauge is updated before the report is handed over: it sums the layers so far
            long expected = completedByLayer.values().stream().mapToLong(Long::longValue).sum();
            double gauge = samples().sum("tinyllm_ollama_pull_completed_bytes", "model", label);
            if (gauge != expected) {
              gaugeMismatches.add(report + ": gauge " + gauge + ", layers " + expected);
            }
          }
        });

    assertThat(reports).isNotEmpty();
    assertThat(reports.get(0).status()).isEqualTo("pulling manifest");
    assertThat(reports.get(reports.size() - 1).isSuccess()).isTrue();
    assertThat(reports).filteredOn(PullProgress::isSuccess).hasSize(1);
    List<PullProgress> layers =
        reports.stream().filter(r -> r.digest() != null && r.total() > 0).toList();
    assertThat(layers).as("progress of at least one layer").isNotEmpty();
    Map<String, Long> lastCompleted = new HashMap<>();
    for (PullProgress layer : layers) {
      assertThat(layer.model()).isEqualTo(model);
      assertThat(layer.completed()).isBetween(0L, layer.total());
      assertThat(layer.completed())
          .as("bytes of %s never go back", layer.digest())
          .isGreaterThanOrEqualTo(lastCompleted.getOrDefault(layer.digest(), 0L));
      lastCompleted.put(layer.digest(), layer.completed());
    }
    for (String digest : lastCompleted.keySet()) {
      PullProgress last =
          layers.stream().filter(l -> l.digest().equals(digest)).reduce((a, b) -> b).orElseThrow();
      assertThat(last.completed()).as("layer %s complete", digest).isEqualTo(last.total());
    }
    assertThat(gaugeMismatches).isEmpty();
    MetricSamples after = samples();
    assertThat(after.series("tinyllm_ollama_pull_completed_bytes", "model", label))
        .as("the progress series ends with the pull")
        .isEmpty();
    assertThat(after.sum("tinyllm_requests_total")).as("pulls are not requests").isZero();
    assertThat(client.list()).extracting(LocalModel::name).contains(label);
  }

  @Test
  void aMissingModelFailsWithThePullHintAndIsCountedOnce() {
    GenerateRequest request = GenerateRequest.builder(MISSING_MODEL, "Hello?").build();

    assertThatThrownBy(() -> client.generate(request))
        .isInstanceOf(ModelNotFoundException.class)
        .hasMessageContaining(MISSING_MODEL)
        .hasMessageContaining("ollama pull " + MISSING_MODEL);

    MetricSamples samples = samples();
    assertThat(requestsByType(samples)).containsExactly(Map.entry("generate", 1.0));
    assertThat(samples.recorded("tinyllm_errors_total"))
        .extracting(s -> s.label("error_type"), s -> s.label("model"), s -> s.value())
        .containsExactly(tuple("model_not_found", MISSING_MODEL, 1.0));
    assertThat(samples.sum("tinyllm_request_outcomes_total", "outcome", "error")).isEqualTo(1);
    // a 404 is the server's answer, not its failure: neither retried nor held against it
    assertThat(samples.sum("tinyllm_retries_total")).isZero();
    assertThat(samples.sum("tinyllm_circuit_breaker_failures_total")).isZero();
    assertThat(samples.sum("tinyllm_tokens_output_total")).isZero();
  }

  private MetricSamples samples() {
    return MetricSamples.parse(metrics.scrapeText());
  }

  private void assertCompleted(LlmResponse answer) {
    assertThat(answer.text()).isNotBlank();
    assertThat(answer.outputTokens()).isPositive();
    assertThat(answer.doneReason()).isIn("stop", "length");
    assertThat(answer.evalDuration()).isPositive();
  }

  /**
   * The calls' answers and the token, latency and outcome figures agree: each family counts every
   * call once, and the token counters are the sums of what the responses report.
   */
  private void assertTokensAndOutcomes(MetricSamples samples, List<LlmResponse> answers) {
    long output = answers.stream().mapToLong(LlmResponse::outputTokens).sum();
    long input = answers.stream().mapToLong(LlmResponse::promptTokens).sum();
    int calls = answers.size();
    assertThat(samples.sum("tinyllm_requests_total", "model", chatLabel, "graph", GRAPH))
        .isEqualTo(calls);
    assertThat(samples.sum("tinyllm_tokens_output_total", "model", chatLabel, "graph", GRAPH))
        .isEqualTo(output);
    assertThat(samples.sum("tinyllm_tokens_input_total", "model", chatLabel, "graph", GRAPH))
        .isEqualTo(input);
    assertThat(samples.sum("tinyllm_request_latency_seconds_count", "model", chatLabel))
        .isEqualTo(calls);
    assertThat(samples.sum("tinyllm_ollama_eval_duration_seconds_count", "model", chatLabel))
        .isEqualTo(calls);
    assertThat(samples.recorded("tinyllm_request_outcomes_total", "model", chatLabel))
        .extracting(s -> s.label("outcome"), s -> s.value())
        .containsExactly(tuple("success", (double) calls));
    assertThat(samples.sum("tinyllm_errors_total")).isZero();
    assertThat(samples.sum("tinyllm_active_requests")).isZero();
  }

  /** Calls per {@code request_type}, over every model and graph. */
  private static Map<String, Double> requestsByType(MetricSamples samples) {
    Map<String, Double> byType = new LinkedHashMap<>();
    for (MetricSamples.Sample sample : samples.series("tinyllm_requests_total")) {
      byType.merge(sample.label("request_type"), sample.value(), Double::sum);
    }
    return byType;
  }

  /** What a stream delivered, in arrival order. */
  private static final class Collected implements StreamListener {
    final List<String> tokens = new ArrayList<>();
    final List<LlmResponse> completed = new ArrayList<>();
    final List<LlmException> errors = new ArrayList<>();
    int tokensAtCompletion = -1;

    @Override
    public synchronized void onToken(String token) {
      tokens.add(token);
    }

    @Override
    public synchronized void onComplete(LlmResponse response) {
      tokensAtCompletion = tokens.size();
      completed.add(response);
    }

    @Override
    public synchronized void onError(LlmException error) {
      errors.add(error);
    }
  }
}
