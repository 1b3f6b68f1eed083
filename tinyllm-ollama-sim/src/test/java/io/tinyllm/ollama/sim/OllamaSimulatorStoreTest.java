package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Copy, create, push and blobs over real HTTP, with the status codes, texts and status lines of
 * Ollama v0.13.5 (server/routes.go, server/create.go, server/images.go).
 */
class OllamaSimulatorStoreTest {
  private static OllamaSimulator sim;
  private static SimClient client;

  @BeforeAll
  static void start() throws Exception {
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder()
                .timeScale(0.01)
                .pullSteps(1)
                .cannedAnswer("Say pong", "pong")
                .build());
    client = new SimClient(sim.baseUri());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void copyInstallsTheModelUnderTheNewNameWithAnEmptyAnswer() {
    SimClient.Reply reply =
        client.post(
            "/api/copy", "{\"source\":\"qwen2.5:0.5b\",\"destination\":\"copied-qwen:v1\"}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEmpty();
    assertThat(sim.installedModels()).contains("copied-qwen:v1", "qwen2.5:0.5b");

    JsonNode tags = client.get("/api/tags").json().get("models");
    assertThat(digest(tags, "copied-qwen:v1")).isEqualTo(digest(tags, "qwen2.5:0.5b"));
    SimClient.Reply answer =
        client.post(
            "/api/generate",
            "{\"model\":\"copied-qwen:v1\",\"prompt\":\"Say pong\",\"stream\":false}");
    assertThat(answer.json().get("response").asText()).isEqualTo("pong");
  }

  @Test
  void copyFailsLikeOllama() {
    SimClient.Reply missing =
        client.post("/api/copy", "{\"source\":\"nope:1b\",\"destination\":\"x:1\"}");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.error()).isEqualTo("model \"nope:1b\" not found");

    SimClient.Reply badSource =
        client.post("/api/copy", "{\"source\":\"bad name\",\"destination\":\"x:1\"}");
    assertThat(badSource.status()).isEqualTo(400);
    assertThat(badSource.error()).isEqualTo("source \"bad name\" is invalid");

    SimClient.Reply badDestination =
        client.post("/api/copy", "{\"source\":\"qwen2.5:0.5b\",\"destination\":\"\"}");
    assertThat(badDestination.status()).isEqualTo(400);
    assertThat(badDestination.error()).isEqualTo("destination \"\" is invalid");
  }

  @Test
  void createFromAModelStreamsItsLayersAndTheNewModelUsesTheSystemPrompt() {
    SimClient.Reply reply =
        client.post(
            "/api/create",
            "{\"model\":\"mario\",\"from\":\"qwen2.5:0.5b\",\"system\":\"You are Mario.\","
                + "\"parameters\":{\"temperature\":0.7,\"stop\":[\"<end>\"]}}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/x-ndjson");
    List<String> statuses = reply.lines().stream().map(l -> l.get("status").asText()).toList();
    String systemDigest = "sha256:" + sha256Hex("You are Mario.");
    assertThat(statuses)
        .containsSubsequence("creating new layer " + systemDigest, "writing manifest", "success");
    assertThat(statuses.get(0)).startsWith("using existing layer sha256:");
    assertThat(statuses).last().isEqualTo("success");
    assertThat(statuses.stream().filter(s -> s.startsWith("creating new layer"))).hasSize(2);

    JsonNode show = client.post("/api/show", "{\"model\":\"mario\"}").json();
    assertThat(show.get("system").asText()).isEqualTo("You are Mario.");
    assertThat(show.get("parameters").asText())
        .contains("temperature                    0.7")
        .contains("stop                           \"<end>\"");
    assertThat(sim.installedModels()).contains("mario:latest");

    // the same content again: every layer exists now
    SimClient.Reply again =
        client.post(
            "/api/create",
            "{\"model\":\"mario2\",\"from\":\"qwen2.5:0.5b\",\"system\":\"You are Mario.\"}");
    assertThat(again.lines().stream().map(l -> l.get("status").asText()))
        .contains("using existing layer " + systemDigest)
        .noneMatch(s -> s.startsWith("creating new layer"));
  }

  @Test
  void createWithoutStreamingAnswersTheLastStatus() {
    SimClient.Reply reply =
        client.post(
            "/api/create",
            "{\"model\":\"quiet\",\"from\":\"qwen2.5:0.5b\",\"template\":\"{{ .Prompt }}\","
                + "\"stream\":false}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/json");
    assertThat(reply.body()).isEqualTo("{\"status\":\"success\"}");
    assertThat(client.post("/api/show", "{\"model\":\"quiet\"}").json().get("template").asText())
        .isEqualTo("{{ .Prompt }}");
  }

  @Test
  void createAddsLicensesAndEndsWithA500WhenOneIsNotText() {
    SimClient.Reply reply =
        client.post(
            "/api/create",
            "{\"model\":\"licensed\",\"from\":\"qwen2.5:0.5b\",\"license\":[\"MIT\",\"Apache-2.0\"]}");
    assertThat(reply.lines().stream().map(l -> l.get("status").asText()))
        .contains("creating new layer sha256:" + sha256Hex("Apache-2.0"));
    assertThat(client.post("/api/show", "{\"model\":\"licensed\"}").json().get("license").asText())
        .endsWith("\nMIT\nApache-2.0");

    SimClient.Reply bad =
        client.post(
            "/api/create",
            "{\"model\":\"licensed2\",\"from\":\"qwen2.5:0.5b\",\"license\":7,\"stream\":false}");
    assertThat(bad.status()).isEqualTo(500);
    assertThat(bad.error())
        .isEqualTo("json: cannot unmarshal number into Go value of type []string");
  }

  @Test
  void createFromAModelNotInstalledPullsItFirst() {
    SimClient.Reply reply =
        client.post("/api/create", "{\"model\":\"small\",\"from\":\"all-minilm\"}");
    List<String> statuses = reply.lines().stream().map(l -> l.get("status").asText()).toList();
    assertThat(statuses)
        .containsSubsequence(
            "pulling manifest",
            "verifying sha256 digest",
            "writing manifest",
            "success",
            "writing manifest",
            "success");
    assertThat(sim.installedModels()).contains("all-minilm:latest", "small:latest");
  }

  @Test
  void createFailsLikeOllama() {
    SimClient.Reply unknownBase =
        client.post("/api/create", "{\"model\":\"x\",\"from\":\"nowhere:1b\"}");
    assertThat(unknownBase.status()).isEqualTo(200);
    assertThat(unknownBase.lines())
        .extracting(JsonNode::toString)
        .containsExactly(
            "{\"status\":\"pulling manifest\"}",
            "{\"error\":\"pull model manifest: file does not exist\"}");

    SimClient.Reply neither = client.post("/api/create", "{\"model\":\"x\"}");
    assertThat(neither.status()).isEqualTo(400);
    assertThat(neither.contentType()).isEqualTo("application/json");
    assertThat(neither.error()).isEqualTo("neither 'from' or 'files' was specified");

    SimClient.Reply badName =
        client.post("/api/create", "{\"model\":\"bad name\",\"from\":\"qwen2.5:0.5b\"}");
    assertThat(badName.status()).isEqualTo(400);
    assertThat(badName.error()).isEqualTo("invalid model name");

    SimClient.Reply badFrom = client.post("/api/create", "{\"model\":\"x\",\"from\":\"a b\"}");
    assertThat(badFrom.status()).isEqualTo(400);
    assertThat(badFrom.error()).isEqualTo("invalid model name");

    SimClient.Reply badPath =
        client.post("/api/create", "{\"model\":\"x\",\"files\":{\"../x.gguf\":\"sha256:00\"}}");
    assertThat(badPath.status()).isEqualTo(400);
    assertThat(badPath.error()).isEqualTo("file path must be relative");
  }

  @Test
  void pushFailsAsAnOllamaWithoutRegistryAccess() {
    SimClient.Reply streamed = client.post("/api/push", "{\"model\":\"qwen2.5:0.5b\"}");
    assertThat(streamed.status()).isEqualTo(200);
    List<JsonNode> lines = streamed.lines();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).toString()).isEqualTo("{\"status\":\"retrieving manifest\"}");
    assertThat(lines.get(1).get("error").asText())
        .matches(
            "Head \"https://registry\\.ollama\\.ai/v2/library/qwen2\\.5/blobs/sha256:[0-9a-f]{64}\":"
                + " dial tcp: lookup registry\\.ollama\\.ai: no such host");

    SimClient.Reply whole =
        client.post("/api/push", "{\"model\":\"qwen2.5:0.5b\",\"stream\":false}");
    assertThat(whole.status()).isEqualTo(500);
    assertThat(whole.contentType()).isEqualTo("application/json");
    assertThat(whole.error()).isEqualTo(lines.get(1).get("error").asText());

    SimClient.Reply unknown = client.post("/api/push", "{\"model\":\"me/nothing\"}");
    assertThat(unknown.lines())
        .extracting(JsonNode::toString)
        .containsExactly(
            "{\"status\":\"retrieving manifest\"}",
            "{\"status\":\"couldn't retrieve manifest\"}",
            "{\"error\":\"open /root/.ollama/models/manifests/registry.ollama.ai/me/nothing/latest:"
                + " no such file or directory\"}");

    SimClient.Reply noName = client.post("/api/push", "{}");
    assertThat(noName.status()).isEqualTo(400);
    assertThat(noName.error()).isEqualTo("model is required");
  }

  @Test
  void blobsAreCheckedAndUploadedByDigest() throws Exception {
    byte[] content = "a tiny gguf stand-in".getBytes(StandardCharsets.UTF_8);
    String digest = "sha256:" + sha256Hex(new String(content, StandardCharsets.UTF_8));

    assertThat(client.head("/api/blobs/" + digest).status()).isEqualTo(404);
    SimClient.Reply notFound = client.post("/api/blobs/" + digest + "x", "");
    assertThat(notFound.status()).isEqualTo(400);
    assertThat(notFound.error()).isEqualTo("invalid digest format");

    String wrong = "sha256:" + "0".repeat(64);
    SimClient.Reply mismatch = upload(wrong, content);
    assertThat(mismatch.status()).isEqualTo(400);
    assertThat(mismatch.error())
        .isEqualTo("digest mismatch, expected \"" + wrong + "\", got \"" + digest + "\"");

    SimClient.Reply created = upload(digest, content);
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body()).isEmpty();
    assertThat(upload(digest, content).status()).isEqualTo(200); // stored already
    assertThat(client.head("/api/blobs/" + digest).status()).isEqualTo(200);
    // Ollama's file name spelling names the same blob
    assertThat(client.head("/api/blobs/" + digest.replace(':', '-')).status()).isEqualTo(200);

    // the layers of installed models are blobs too
    String system = "sha256:" + sha256Hex("A layer of a created model.");
    assertThat(client.head("/api/blobs/" + system).status()).isEqualTo(404);
    client.post(
        "/api/create",
        "{\"model\":\"layered\",\"from\":\"qwen2.5:0.5b\",\"system\":\"A layer of a created"
            + " model.\"}");
    assertThat(client.head("/api/blobs/" + system).status()).isEqualTo(200);
  }

  @Test
  void goFloatFormatsAsGoPrintsAFloat64() {
    assertThat(ModelStoreHandler.goFloat(0.7)).isEqualTo("0.7");
    assertThat(ModelStoreHandler.goFloat(8192)).isEqualTo("8192");
    assertThat(ModelStoreHandler.goFloat(1e6)).isEqualTo("1e+06");
    assertThat(ModelStoreHandler.goFloat(1234567)).isEqualTo("1.234567e+06");
    assertThat(ModelStoreHandler.goFloat(0.00001)).isEqualTo("1e-05");
    assertThat(ModelStoreHandler.goFloat(-2.5)).isEqualTo("-2.5");
  }

  private static SimClient.Reply upload(String digest, byte[] content) {
    return client.send(
        HttpRequest.newBuilder(sim.baseUri().resolve("/api/blobs/" + digest))
            .POST(HttpRequest.BodyPublishers.ofByteArray(content)));
  }

  private static String digest(JsonNode models, String name) {
    for (JsonNode model : models) {
      if (model.get("name").asText().equals(name)) {
        return model.get("digest").asText();
      }
    }
    throw new AssertionError("not listed: " + name);
  }

  private static String sha256Hex(String text) throws RuntimeException {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
