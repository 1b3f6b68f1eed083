package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Model lifecycle over real HTTP: load time on first use and after unload or keep-alive expiry,
 * {@code /api/ps}, embeddings, pull progress and delete. A fresh simulator per test keeps the load
 * state independent.
 */
class OllamaSimulatorModelsTest {
  private static final Duration LOAD = Duration.ofMillis(150);

  private final MovableClock clock = new MovableClock();
  private OllamaSimulator sim;
  private SimClient client;

  @BeforeEach
  void start() throws Exception {
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder()
                .model(
                    SimulatedModel.completion("tiny:1b")
                        .loadTime(LOAD)
                        .timeToFirstToken(Duration.ZERO)
                        .tokensPerSecond(5000)
                        .build())
                .model(
                    SimulatedModel.defaults().get(3).toBuilder()
                        .loadTime(Duration.ofMillis(1))
                        .build())
                .pullStepDelay(Duration.ZERO)
                .clock(clock)
                .build());
    client = new SimClient(sim.baseUri());
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void loadDurationIsPaidOnFirstUseOnlyUntilUnloaded() {
    long first = loadDuration("{\"model\":\"tiny:1b\",\"prompt\":\"hi\",\"stream\":false}");
    long second = loadDuration("{\"model\":\"tiny:1b\",\"prompt\":\"hi\",\"stream\":false}");
    assertThat(first).isGreaterThanOrEqualTo(LOAD.toNanos());
    assertThat(second).isLessThan(LOAD.toNanos() / 3);
    assertThat(sim.isLoaded("tiny:1b")).isTrue();

    // keep_alive 0 on a real request: answered normally, then unloaded
    long third =
        loadDuration("{\"model\":\"tiny:1b\",\"prompt\":\"hi\",\"stream\":false,\"keep_alive\":0}");
    assertThat(third).isLessThan(LOAD.toNanos() / 3);
    assertThat(sim.isLoaded("tiny:1b")).isFalse();
    assertThat(client.get("/api/ps").json().get("models")).isEmpty();

    long again = loadDuration("{\"model\":\"tiny:1b\",\"prompt\":\"hi\",\"stream\":false}");
    assertThat(again).isGreaterThanOrEqualTo(LOAD.toNanos());
  }

  @Test
  void emptyPromptWithKeepAliveZeroUnloads() {
    client.post("/api/generate", "{\"model\":\"tiny:1b\"}");
    assertThat(sim.isLoaded("tiny:1b")).isTrue();
    JsonNode generate =
        client.post("/api/generate", "{\"model\":\"tiny:1b\",\"keep_alive\":0}").json();
    assertThat(generate.get("done_reason").asText()).isEqualTo("unload");
    assertThat(sim.isLoaded("tiny:1b")).isFalse();

    client.post("/api/chat", "{\"model\":\"tiny:1b\",\"messages\":[]}");
    JsonNode chat =
        client
            .post("/api/chat", "{\"model\":\"tiny:1b\",\"messages\":[],\"keep_alive\":\"0s\"}")
            .json();
    assertThat(chat.get("done_reason").asText()).isEqualTo("unload");
    assertThat(sim.isLoaded("tiny:1b")).isFalse();
  }

  @Test
  void keepAliveExpiryUnloadsAndPsShowsLoadedModels() throws Exception {
    client.post(
        "/api/generate",
        "{\"model\":\"tiny:1b\",\"prompt\":\"hi\",\"stream\":false,\"keep_alive\":\"200ms\","
            + "\"options\":{\"num_ctx\":8192}}");
    JsonNode models = client.get("/api/ps").json().get("models");
    assertThat(models).hasSize(1);
    JsonNode running = models.get(0);
    assertThat(running.get("name").asText()).isEqualTo("tiny:1b");
    assertThat(running.get("model").asText()).isEqualTo("tiny:1b");
    assertThat(running.get("size").asLong()).isPositive();
    assertThat(running.get("size_vram").asLong()).isEqualTo(running.get("size").asLong());
    assertThat(running.get("context_length").asInt()).isEqualTo(8192);
    assertThat(running.get("digest").asText()).matches("[0-9a-f]{64}");
    assertThat(running.get("details").get("format").asText()).isEqualTo("gguf");
    assertThat(Instant.parse(running.get("expires_at").asText())).isAfter(clock.instant());

    // expiry is read from the clock when asked: 199 ms on, the model stays; 200 ms on, it is gone
    clock.advance(Duration.ofMillis(199));
    assertThat(sim.isLoaded("tiny:1b")).isTrue();
    clock.advance(Duration.ofMillis(1));
    assertThat(sim.isLoaded("tiny:1b")).isFalse();
    assertThat(client.get("/api/ps").json().get("models")).isEmpty();
    long reload = loadDuration("{\"model\":\"tiny:1b\",\"prompt\":\"hi\",\"stream\":false}");
    assertThat(reload).isGreaterThanOrEqualTo(LOAD.toNanos());
  }

  @Test
  void negativeKeepAliveKeepsTheModelForever() {
    client.post(
        "/api/generate",
        "{\"model\":\"tiny:1b\",\"prompt\":\"hi\",\"stream\":false,\"keep_alive\":-1}");
    JsonNode running = client.get("/api/ps").json().get("models").get(0);
    assertThat(Instant.parse(running.get("expires_at").asText()))
        .isAfter(Instant.now().plus(Duration.ofDays(365L * 100)));
  }

  @Test
  void embedReturnsDeterministicUnitVectors() {
    JsonNode one =
        client
            .post(
                "/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":\"Why is the sky blue?\"}")
            .json();
    assertThat(one.get("model").asText()).isEqualTo("nomic-embed-text");
    assertThat(one.get("embeddings")).hasSize(1);
    float[] sky = vector(one.get("embeddings").get(0));
    assertThat(sky).hasSize(768);
    assertThat(norm(sky)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(one.get("prompt_eval_count").asInt())
        .isEqualTo(Tokenizer.count("Why is the sky blue?"));
    assertThat(one.get("total_duration").asLong()).isPositive();
    assertThat(one.has("load_duration")).isTrue();

    JsonNode many =
        client
            .post(
                "/api/embed",
                "{\"model\":\"nomic-embed-text\",\"input\":[\"Why is the sky blue?\","
                    + "\"Why is the sky so blue?\",\"Bananas are rich in potassium\"]}")
            .json();
    assertThat(many.get("embeddings")).hasSize(3);
    float[] same = vector(many.get("embeddings").get(0));
    float[] similar = vector(many.get("embeddings").get(1));
    float[] unrelated = vector(many.get("embeddings").get(2));
    assertThat(same).containsExactly(sky);
    assertThat(dot(sky, similar)).isGreaterThan(dot(sky, unrelated) + 0.3);

    JsonNode cut =
        client
            .post(
                "/api/embed",
                "{\"model\":\"nomic-embed-text\",\"input\":\"x y\",\"dimensions\":64}")
            .json();
    float[] small = vector(cut.get("embeddings").get(0));
    assertThat(small).hasSize(64);
    assertThat(norm(small)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
  }

  @Test
  void embedRejectsBadInputAndModelsThatCannotEmbed() {
    SimClient.Reply badInput =
        client.post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":[1,2]}");
    assertThat(badInput.status()).isEqualTo(400);
    assertThat(badInput.error()).isEqualTo("invalid input type");

    SimClient.Reply completionModel =
        client.post("/api/embed", "{\"model\":\"tiny:1b\",\"input\":\"x\"}");
    assertThat(completionModel.status()).isEqualTo(501);
    assertThat(completionModel.error()).isEqualTo("this model does not support embeddings");

    SimClient.Reply unknown = client.post("/api/embed", "{\"model\":\"nope\",\"input\":\"x\"}");
    assertThat(unknown.status()).isEqualTo(404);
    // the scheduler's text (handleScheduleError), not generate's
    assertThat(unknown.error()).isEqualTo("model \"nope\" not found, try pulling it first");

    SimClient.Reply noInput = client.post("/api/embed", "{\"model\":\"nomic-embed-text\"}");
    assertThat(noInput.status()).isEqualTo(200);
    assertThat(noInput.json().get("embeddings")).isEmpty();
  }

  @Test
  void legacyEmbeddingsEndpointAnswersOneRawVector() {
    JsonNode answer =
        client
            .post("/api/embeddings", "{\"model\":\"nomic-embed-text\",\"prompt\":\"llamas\"}")
            .json();
    float[] raw = vector(answer.get("embedding"));
    assertThat(raw).hasSize(768);
    assertThat(norm(raw)).isGreaterThan(2.0); // not normalized, as in Ollama
    float[] unit =
        vector(
            client
                .post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":\"llamas\"}")
                .json()
                .get("embeddings")
                .get(0));
    assertThat(dot(raw, unit) / norm(raw))
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));

    SimClient.Reply unknown =
        client.post("/api/embeddings", "{\"model\":\"nope\",\"prompt\":\"x\"}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.error()).isEqualTo("model \"nope\" not found, try pulling it first");

    SimClient.Reply empty = client.post("/api/embeddings", "{\"model\":\"nomic-embed-text\"}");
    assertThat(empty.body()).isEqualTo("{\"embedding\":[]}");
  }

  @Test
  void pullStreamsMonotonicProgressEndingInSuccessAndInstallsTheModel() {
    assertThat(sim.installedModels()).doesNotContain("llama3.2:1b");
    SimClient.Reply reply = client.post("/api/pull", "{\"model\":\"llama3.2:1b\"}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/x-ndjson");
    List<JsonNode> lines = reply.lines();
    assertThat(lines.get(0).get("status").asText()).isEqualTo("pulling manifest");
    Map<String, Long> completedByDigest = new HashMap<>();
    int progressLines = 0;
    for (JsonNode line : lines.subList(1, lines.size() - 3)) {
      String digest = line.get("digest").asText();
      assertThat(digest).matches("sha256:[0-9a-f]{64}");
      assertThat(line.get("status").asText()).isEqualTo("pulling " + digest.substring(7, 19));
      long total = line.get("total").asLong();
      long completed = line.path("completed").asLong(0);
      assertThat(completed).isBetween(0L, total);
      assertThat(completed).isGreaterThanOrEqualTo(completedByDigest.getOrDefault(digest, 0L));
      completedByDigest.put(digest, completed);
      progressLines++;
    }
    assertThat(progressLines).isGreaterThan(completedByDigest.size());
    assertThat(lines.subList(lines.size() - 3, lines.size()))
        .extracting(l -> l.get("status").asText())
        .containsExactly("verifying sha256 digest", "writing manifest", "success");

    assertThat(client.get("/api/tags").body()).contains("\"name\":\"llama3.2:1b\"");
    JsonNode answer =
        client
            .post("/api/generate", "{\"model\":\"llama3.2:1b\",\"prompt\":\"hi\",\"stream\":false}")
            .json();
    assertThat(answer.get("done").asBoolean()).isTrue();
  }

  @Test
  void pullWithoutStreamingAnswersSuccessOnce() {
    SimClient.Reply reply = client.post("/api/pull", "{\"model\":\"all-minilm\",\"stream\":false}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("{\"status\":\"success\"}");
    assertThat(sim.installedModels()).contains("all-minilm:latest");
    JsonNode embed = client.post("/api/embed", "{\"model\":\"all-minilm\",\"input\":\"x\"}").json();
    assertThat(embed.get("embeddings").get(0)).hasSize(384);
  }

  @Test
  void pullingAnUnknownModelFailsLikeOllama() {
    SimClient.Reply streamed = client.post("/api/pull", "{\"model\":\"no-such-model:9b\"}");
    assertThat(streamed.status()).isEqualTo(200);
    List<JsonNode> lines = streamed.lines();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).get("status").asText()).isEqualTo("pulling manifest");
    assertThat(lines.get(1).get("error").asText())
        .isEqualTo("pull model manifest: file does not exist");

    SimClient.Reply whole =
        client.post("/api/pull", "{\"model\":\"no-such-model:9b\",\"stream\":false}");
    assertThat(whole.status()).isEqualTo(500);
    assertThat(whole.error()).isEqualTo("pull model manifest: file does not exist");
    assertThat(sim.installedModels()).doesNotContain("no-such-model:9b");

    SimClient.Reply invalid = client.post("/api/pull", "{}");
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.error()).isEqualTo("invalid model name");
  }

  @Test
  void deleteRemovesTheModelAndThenIsNotFound() {
    SimClient.Reply deleted = client.delete("/api/delete", "{\"model\":\"tiny:1b\"}");
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body()).isEmpty();
    assertThat(client.get("/api/tags").body()).doesNotContain("tiny:1b");

    SimClient.Reply again = client.delete("/api/delete", "{\"model\":\"tiny:1b\"}");
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.error()).isEqualTo("model 'tiny:1b' not found");

    SimClient.Reply generate =
        client.post("/api/generate", "{\"model\":\"tiny:1b\",\"prompt\":\"x\"}");
    assertThat(generate.status()).isEqualTo(404);
  }

  private long loadDuration(String body) {
    SimClient.Reply reply = client.post("/api/generate", body);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json().get("load_duration").asLong();
  }

  private static float[] vector(JsonNode array) {
    float[] v = new float[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) array.get(i).asDouble();
    }
    return v;
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  private static double norm(float[] v) {
    return Math.sqrt(dot(v, v));
  }
}
