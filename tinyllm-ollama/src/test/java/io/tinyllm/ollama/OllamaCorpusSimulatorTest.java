package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The simulator against Ollama's recorded answers (the corpus under {@code wire/}): for each case
 * it gets the case's request (with one of its own models in place of the recorded one, and the
 * fault that makes Ollama answer so where one is needed) and must answer with the same status,
 * content type and framing (NDJSON lines or one JSON body), and the same set of line shapes: field
 * names and JSON types, recursively.
 *
 * <p>The cases are listed explicitly; {@link #NOT_YET} lists the corpus cases the simulator does
 * not match yet, and why.
 */
class OllamaCorpusSimulatorTest {
  /**
   * Corpus cases the simulator does not answer in Ollama's shape yet (not run): move one into the
   * test's list once the simulator matches it.
   */
  static final Map<String, String> NOT_YET =
      Map.of(
          "api/generate-500-template",
          "the simulator does not run a request's template (answers 200)",
          "api/show",
          "model_info keys follow the architecture: llama.* recorded, qwen2.* simulated",
          "tools-logprobs/chat-tools",
          "the documented example lacks the id and function.index Ollama (and the simulator) write",
          "api/generate-stream-no-done-reason",
          "the documented older final chunk without done_reason",
          "api/chat-stream-docs",
          "the documented older chunk with \"images\": null",
          "api/chat-stream-final-chunk-with-text",
          "a final chunk carrying held-back text: the simulator sends none",
          "api/generate-stream-error-runner-crash-before-output",
          "an empty chunk before an error line: the simulator sends none");

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Map<String, String> MODELS =
      Map.of(
          "\"llama3.2\"", "\"qwen2.5:0.5b\"",
          "\"all-minilm\"", "\"nomic-embed-text\"",
          "\"llava\"", "\"qwen2.5:0.5b\"");

  private OllamaSimulator sim;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws IOException {
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder()
                .timeScale(0.01)
                // the tool-call cases' prompt: the model calls the tool, as in the recording
                .cannedAnswer(
                    "what is the weather in tokyo?",
                    "tool_calls:[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}]")
                .build());
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  /** The faults that make the simulator answer as Ollama did in the case. */
  private final Map<String, Consumer<OllamaSimulator>> faults =
      Map.of(
          "api/generate-stream-error-runner-crash",
          s ->
              s.faults()
                  .midStreamError(
                      2, "an error was encountered while running the model: unexpected EOF", 1),
          "api/generate-503-queue-full",
          s ->
              s.faults()
                  .failNext(
                      1, 503, "server busy, please try again.  maximum pending requests exceeded"),
          "api/generate-500-runner-terminated",
          s -> s.faults().failNext(1, 500, "llama runner process has terminated: signal: killed"),
          "api/chat-stream-error-before-content-runner-stopped",
          s -> s.faults().midStreamError(0, "model runner has unexpectedly stopped", 1),
          "api/ps",
          s -> load(s, "qwen2.5:0.5b"),
          "api/chat-stream-error-not-transient",
          s -> s.faults().midStreamError(1, "error unmarshalling llm prediction response", 1));

  /** The corpus cases the simulator must answer in Ollama's shape. */
  static final List<String> CASES =
      List.of(
          "api/generate",
          "api/generate-stream",
          "api/generate-load",
          "api/generate-unload",
          "api/chat",
          "api/chat-stream",
          "api/chat-load",
          "api/chat-500-option-type",
          "api/chat-unload",
          "api/generate-stream-error-runner-crash",
          "api/generate-400-top-logprobs",
          "api/generate-404-model",
          "api/chat-404-model",
          "api/chat-500-invalid-format",
          "api/generate-500-runner-terminated",
          "api/generate-503-queue-full",
          "api/embed",
          "api/embed-501-no-embeddings",
          "api/ps-empty",
          "api/version",
          "api/pull-stream",
          "tools-logprobs/generate-logprobs-stream",
          "tools-logprobs/chat-logprobs",
          "tools-logprobs/chat-tools-stream",
          "api/ps",
          "api/chat-stream-error-not-transient",
          "api/embed-404-model",
          "api/tags",
          "api/pull-404-registry",
          "api/generate-404-page-not-found",
          "api/generate-405-method-not-allowed",
          "api/chat-stream-error-before-content-runner-stopped");

  @Test
  void everyCorpusCaseIsCheckedOrListedAsNotYet() {
    assertThat(CASES).doesNotHaveDuplicates().doesNotContainAnyElementsOf(NOT_YET.keySet());
    Set<String> listed = new TreeSet<>(CASES);
    listed.addAll(NOT_YET.keySet());
    assertThat(listed).isEqualTo(RecordedAnswer.names());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void theSimulatorAnswersInOllamasShape(String name) throws Exception {
    RecordedAnswer recorded = RecordedAnswer.load(name);
    Consumer<OllamaSimulator> fault = faults.get(name);
    if (fault != null) {
      fault.accept(sim);
    }
    HttpResponse<String> answer = send(recorded);

    assertThat(answer.statusCode()).as(name + ": status").isEqualTo(recorded.status());
    assertThat(answer.headers().firstValue("Content-Type").orElse(null))
        .as(name + ": content type")
        .isEqualTo(recorded.contentType());
    assertThat(shapes(answer.body(), recorded.isStream()))
        .as(name + ": field names and JSON types of each kind of line")
        .isEqualTo(shapes(recorded.bodyText(), recorded.isStream()));
  }

  /** Loads {@code model} (an empty prompt), so that {@code /api/ps} lists it. */
  private static void load(OllamaSimulator s, String model) {
    try {
      HttpResponse<String> loaded =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(s.baseUri() + "/api/generate"))
                      .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(loaded.statusCode()).isEqualTo(200);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static List<String> cases() {
    return CASES;
  }

  private HttpResponse<String> send(RecordedAnswer recorded)
      throws IOException, InterruptedException {
    String body = recorded.requestBody();
    if (body != null) {
      for (Map.Entry<String, String> model : MODELS.entrySet()) {
        body = body.replace(model.getKey(), model.getValue());
      }
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(sim.baseUri() + recorded.path()))
            .timeout(Duration.ofSeconds(30))
            .method(
                recorded.method(),
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The distinct shapes of a body's JSON values in order of appearance: one for a whole answer, one
   * per kind of line for a stream (a chunk, the final chunk, an error line). Plain text is its own
   * shape.
   */
  static Set<String> shapes(String body, boolean stream) throws IOException {
    Set<String> shapes = new LinkedHashSet<>();
    List<String> values = stream ? body.lines().filter(l -> !l.isBlank()).toList() : List.of(body);
    for (String value : values) {
      JsonNode node;
      try {
        node = MAPPER.readTree(value);
      } catch (IOException e) {
        shapes.add("text: " + value);
        continue;
      }
      shapes.add((stream ? "line " : "") + shape(node));
    }
    return shapes;
  }

  /** Field names and JSON types, recursively; an array by its first element. */
  static String shape(JsonNode node) {
    if (node.isObject()) {
      Map<String, String> fields = new TreeMap<>();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        fields.put(field.getKey(), shape(field.getValue()));
      }
      return fields.toString();
    }
    if (node.isArray()) {
      return node.isEmpty() ? "[]" : "[" + shape(node.get(0)) + "]";
    }
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
