package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire protocol over real HTTP: paths, methods, content types, field names, streaming
 * structure, statistics and Ollama's error texts, for generate, chat and the model endpoints.
 */
class OllamaSimulatorProtocolTest {
  private static OllamaSimulator sim;
  private static SimClient client;

  @BeforeAll
  static void start() throws Exception {
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder()
                .timeScale(0.01)
                .version("0.9.9")
                .model(SimulatedModel.thinking("qwen3:0.6b").build())
                .model(SimulatedModel.completion("plain:1b").build())
                .cannedAnswer("Say pong", "pong")
                .build());
    client = new SimClient(sim.baseUri());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void rootSaysOllamaIsRunningOnGetAndHead() {
    SimClient.Reply get = client.get("/");
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.body()).isEqualTo("Ollama is running");
    assertThat(get.contentType()).isEqualTo("text/plain; charset=utf-8");

    SimClient.Reply head = client.head("/");
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void versionIsConfigurable() {
    SimClient.Reply reply = client.get("/api/version");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/json; charset=utf-8");
    assertThat(reply.body()).isEqualTo("{\"version\":\"0.9.9\"}");
  }

  @Test
  void tagsListsInstalledModelsWithOllamaFields() {
    JsonNode models = client.get("/api/tags").json().get("models");
    List<String> names = new ArrayList<>();
    models.forEach(m -> names.add(m.get("name").asText()));
    assertThat(names)
        .contains(
            "qwen2.5:0.5b",
            "qwen2.5:1.5b",
            "qwen2.5:3b",
            "nomic-embed-text:latest",
            "qwen3:0.6b",
            "plain:1b");

    JsonNode qwen = find(models, "qwen2.5:0.5b");
    assertThat(qwen.get("model").asText()).isEqualTo("qwen2.5:0.5b");
    assertThat(qwen.get("size").asLong()).isEqualTo(397_821_319L);
    assertThat(qwen.get("digest").asText()).matches("[0-9a-f]{64}");
    assertThat(qwen.get("modified_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    JsonNode details = qwen.get("details");
    assertThat(details.get("format").asText()).isEqualTo("gguf");
    assertThat(details.get("family").asText()).isEqualTo("qwen2");
    assertThat(details.get("families").get(0).asText()).isEqualTo("qwen2");
    assertThat(details.get("parameter_size").asText()).isEqualTo("494.03M");
    assertThat(details.get("quantization_level").asText()).isEqualTo("Q4_K_M");
  }

  @Test
  void showReportsDetailsAndCapabilities() {
    JsonNode qwen = client.post("/api/show", "{\"model\":\"qwen2.5:0.5b\"}").json();
    assertThat(qwen.get("modelfile").asText()).contains("FROM ").contains("TEMPLATE");
    assertThat(qwen.get("template").asText()).contains("{{ .Prompt }}");
    assertThat(qwen.get("parameters").asText()).contains("stop");
    assertThat(qwen.get("details").get("family").asText()).isEqualTo("qwen2");
    assertThat(qwen.get("model_info").get("qwen2.context_length").asInt()).isEqualTo(32768);
    assertThat(qwen.get("capabilities"))
        .extracting(JsonNode::asText)
        .containsExactly("completion", "tools");

    JsonNode nomic = client.post("/api/show", "{\"model\":\"nomic-embed-text\"}").json();
    assertThat(nomic.get("capabilities")).extracting(JsonNode::asText).containsExactly("embedding");
    assertThat(nomic.get("model_info").get("nomic-bert.embedding_length").asInt()).isEqualTo(768);
  }

  @Test
  void showFailsLikeOllamaForUnknownAndMissingModels() {
    SimClient.Reply unknown = client.post("/api/show", "{\"model\":\"nope:1b\"}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("{\"error\":\"model 'nope:1b' not found\"}");

    SimClient.Reply missing = client.post("/api/show", "{}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.error()).isEqualTo("model is required");
  }

  @Test
  void generateStreamsNdjsonAndEndsWithStatistics() {
    String prompt = "Why is the sky blue?";
    SimClient.Reply reply =
        client.post("/api/generate", "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"" + prompt + "\"}");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/x-ndjson");
    assertThat(reply.body()).endsWith("\n");

    List<JsonNode> lines = reply.lines();
    List<JsonNode> chunks = lines.subList(0, lines.size() - 1);
    assertThat(chunks).isNotEmpty();
    StringBuilder text = new StringBuilder();
    for (JsonNode chunk : chunks) {
      assertThat(chunk.get("model").asText()).isEqualTo("qwen2.5:0.5b");
      assertThat(chunk.get("created_at").asText()).endsWith("Z");
      assertThat(chunk.get("done").asBoolean()).isFalse();
      assertThat(chunk.has("done_reason")).isFalse();
      assertThat(chunk.has("eval_count")).isFalse();
      text.append(chunk.get("response").asText());
    }
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.get("done").asBoolean()).isTrue();
    assertThat(last.get("done_reason").asText()).isEqualTo("stop");
    assertThat(last.get("response").asText()).isEmpty();
    assertThat(last.get("eval_count").asInt()).isEqualTo(chunks.size());
    assertThat(last.get("eval_count").asInt()).isEqualTo(Tokenizer.count(text.toString()));
    // the rendered prompt: qwen2.5's default system prompt (20 tokens, see PromptTokensTest),
    // "<|im_start|>user\n" (3) + the prompt (6) + "<|im_end|>\n" (2) + "<|im_start|>assistant\n"
    // (3)
    assertThat(Tokenizer.count(prompt)).isEqualTo(6);
    assertThat(last.get("prompt_eval_count").asInt()).isEqualTo(20 + 3 + 6 + 2 + 3);
    assertThat(last.get("context").isArray()).isTrue();
    for (String field :
        List.of("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")) {
      assertThat(last.get(field).asLong()).as(field).isPositive();
    }
    assertThat(last.get("total_duration").asLong())
        .isGreaterThanOrEqualTo(last.get("eval_duration").asLong());
    // eval_duration follows the model speed: 120 tokens/s, time scale 0.01
    double nanosPerToken = last.get("eval_duration").asDouble() / last.get("eval_count").asInt();
    assertThat(nanosPerToken).isBetween(1e9 / 120 * 0.01 * 0.9, 1e9 / 120 * 0.01 * 1.1);
  }

  @Test
  void generateWithoutStreamingAnswersOneObjectWithTheSameText() {
    String body = "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"Tell me a fact\"";
    SimClient.Reply whole = client.post("/api/generate", body + ",\"stream\":false}");
    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.contentType()).isEqualTo("application/json; charset=utf-8");
    JsonNode answer = whole.json();
    assertThat(answer.get("done").asBoolean()).isTrue();
    assertThat(answer.get("done_reason").asText()).isEqualTo("stop");
    String text = answer.get("response").asText();
    assertThat(text).isNotBlank();
    assertThat(answer.get("eval_count").asInt()).isEqualTo(Tokenizer.count(text));

    StringBuilder streamed = new StringBuilder();
    client
        .post("/api/generate", body + "}")
        .lines()
        .forEach(l -> streamed.append(l.path("response").asText()));
    assertThat(streamed.toString()).isEqualTo(text);
  }

  @Test
  void answersAreDeterministicAndDependOnPromptAndSeed() {
    String a1 = generateText("{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"alpha\",\"stream\":false}");
    String a2 = generateText("{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"alpha\",\"stream\":false}");
    assertThat(a1).isEqualTo(a2);
    List<String> others = new ArrayList<>();
    for (String prompt : List.of("beta", "gamma", "delta", "epsilon")) {
      others.add(
          generateText(
              "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"" + prompt + "\",\"stream\":false}"));
    }
    assertThat(others).anyMatch(o -> !o.equals(a1));
    List<String> seeded = new ArrayList<>();
    for (int seed = 1; seed <= 4; seed++) {
      seeded.add(
          generateText(
              "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"alpha\",\"stream\":false,"
                  + "\"options\":{\"seed\":"
                  + seed
                  + "}}"));
    }
    assertThat(seeded).anyMatch(o -> !o.equals(a1));
  }

  @Test
  void cannedAnswersWinForGenerateAndChat() {
    assertThat(generateText("{\"model\":\"qwen2.5:3b\",\"prompt\":\"Say pong\",\"stream\":false}"))
        .isEqualTo("pong");
    JsonNode chat =
        client
            .post(
                "/api/chat",
                "{\"model\":\"qwen2.5:1.5b\",\"stream\":false,\"messages\":["
                    + "{\"role\":\"system\",\"content\":\"be brief\"},"
                    + "{\"role\":\"user\",\"content\":\"Say pong\"}]}")
            .json();
    assertThat(chat.get("message").get("content").asText()).isEqualTo("pong");

    sim.putCannedAnswer("Say ping", "ping!");
    assertThat(generateText("{\"model\":\"qwen2.5:3b\",\"prompt\":\"Say ping\",\"stream\":false}"))
        .isEqualTo("ping!");
    sim.removeCannedAnswer("Say ping");
    assertThat(generateText("{\"model\":\"qwen2.5:3b\",\"prompt\":\"Say ping\",\"stream\":false}"))
        .isNotEqualTo("ping!");
  }

  @Test
  void numPredictTruncatesWithDoneReasonLength() {
    SimClient.Reply reply =
        client.post(
            "/api/generate",
            "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"long\",\"options\":{\"num_predict\":3}}");
    List<JsonNode> lines = reply.lines();
    assertThat(lines).hasSize(4);
    JsonNode last = lines.get(3);
    assertThat(last.get("done_reason").asText()).isEqualTo("length");
    assertThat(last.get("eval_count").asInt()).isEqualTo(3);
  }

  @Test
  void stopSequenceCutsTheAnswerBeforeIt() {
    sim.putCannedAnswer("count", "one, two, three, four");
    JsonNode answer =
        client
            .post(
                "/api/generate",
                "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"count\",\"stream\":false,"
                    + "\"options\":{\"stop\":[\", three\"]}}")
            .json();
    assertThat(answer.get("response").asText()).isEqualTo("one, two");
    assertThat(answer.get("done_reason").asText()).isEqualTo("stop");
    assertThat(answer.get("eval_count").asInt()).isEqualTo(Tokenizer.count("one, two"));
  }

  @Test
  void numCtxCapsPromptEvalCount() {
    JsonNode answer =
        client
            .post(
                "/api/generate",
                "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"a b c d e f g h\",\"stream\":false,"
                    + "\"options\":{\"num_ctx\":5}}")
            .json();
    assertThat(answer.get("prompt_eval_count").asInt()).isEqualTo(5);
  }

  @Test
  void formatJsonAndSchemaProduceValidJson() throws Exception {
    String json =
        generateText(
            "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"weather?\",\"format\":\"json\",\"stream\":false}");
    assertThat(SimClient.MAPPER.readTree(json).isObject()).isTrue();

    String schema =
        "{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\",\"minimum\":18,"
            + "\"maximum\":30},\"available\":{\"type\":\"boolean\"},\"tags\":{\"type\":\"array\","
            + "\"items\":{\"type\":\"string\"}},\"kind\":{\"enum\":[\"a\",\"b\"]}},"
            + "\"required\":[\"age\",\"available\"]}";
    StringBuilder streamed = new StringBuilder();
    client
        .post(
            "/api/chat",
            "{\"model\":\"qwen2.5:0.5b\",\"format\":"
                + schema
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Ollama is 22\"}]}")
        .lines()
        .forEach(l -> streamed.append(l.path("message").path("content").asText()));
    JsonNode value = SimClient.MAPPER.readTree(streamed.toString());
    assertThat(value.get("age").isInt()).isTrue();
    assertThat(value.get("age").asInt()).isBetween(18, 30);
    assertThat(value.get("available").isBoolean()).isTrue();
    assertThat(value.get("tags").isArray()).isTrue();
    assertThat(value.get("kind").asText()).isIn("a", "b");
  }

  @Test
  void invalidFormatFailsAsOllamaDoes() {
    SimClient.Reply reply =
        client.post(
            "/api/generate", "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"x\",\"format\":\"xml\"}");
    assertThat(reply.status()).isEqualTo(500);
    assertThat(reply.error())
        .isEqualTo(
            "invalid format: \"\\\"xml\\\"\"; expected \"json\" or a valid JSON Schema object");
  }

  @Test
  void chatStreamsAssistantMessagesAndCountsTheWholeConversation() {
    String messages =
        "[{\"role\":\"system\",\"content\":\"You are terse.\"},"
            + "{\"role\":\"user\",\"content\":\"why is the sky blue?\"},"
            + "{\"role\":\"assistant\",\"content\":\"due to rayleigh scattering.\"},"
            + "{\"role\":\"user\",\"content\":\"how is that different than mie scattering?\"}]";
    List<JsonNode> lines =
        client
            .post("/api/chat", "{\"model\":\"qwen2.5:1.5b\",\"messages\":" + messages + "}")
            .lines();
    JsonNode last = lines.get(lines.size() - 1);
    StringBuilder text = new StringBuilder();
    for (JsonNode chunk : lines.subList(0, lines.size() - 1)) {
      assertThat(chunk.get("message").get("role").asText()).isEqualTo("assistant");
      assertThat(chunk.get("done").asBoolean()).isFalse();
      text.append(chunk.get("message").get("content").asText());
    }
    assertThat(last.get("done").asBoolean()).isTrue();
    assertThat(last.get("done_reason").asText()).isEqualTo("stop");
    assertThat(last.get("message").get("content").asText()).isEmpty();
    assertThat(last.has("context")).isFalse();
    assertThat(last.get("eval_count").asInt()).isEqualTo(lines.size() - 1);
    // each turn is "<|im_start|>" role "\n" (3 tokens) + content + "<|im_end|>" "\n" (2), then
    // the generation prompt "<|im_start|>assistant\n" (3); the system message replaces the
    // model's default one
    int expectedPrompt =
        (5 + Tokenizer.count("You are terse."))
            + (5 + Tokenizer.count("why is the sky blue?"))
            + (5 + Tokenizer.count("due to rayleigh scattering."))
            + (5 + Tokenizer.count("how is that different than mie scattering?"))
            + 3;
    assertThat(last.get("prompt_eval_count").asInt()).isEqualTo(expectedPrompt);

    JsonNode whole =
        client
            .post(
                "/api/chat",
                "{\"model\":\"qwen2.5:1.5b\",\"stream\":false,\"messages\":" + messages + "}")
            .json();
    assertThat(whole.get("message").get("content").asText()).isEqualTo(text.toString());
  }

  @Test
  void emptyPromptOrMessagesLoadTheModel() {
    JsonNode generate = client.post("/api/generate", "{\"model\":\"qwen2.5:0.5b\"}").json();
    assertThat(generate.get("done").asBoolean()).isTrue();
    assertThat(generate.get("done_reason").asText()).isEqualTo("load");
    assertThat(generate.get("response").asText()).isEmpty();

    JsonNode chat = client.post("/api/chat", "{\"model\":\"qwen2.5:0.5b\",\"messages\":[]}").json();
    assertThat(chat.get("done_reason").asText()).isEqualTo("load");
    assertThat(chat.get("message").get("role").asText()).isEqualTo("assistant");
    assertThat(sim.isLoaded("qwen2.5:0.5b")).isTrue();
  }

  @Test
  void thinkingModelStreamsThinkingBeforeTheAnswer() {
    List<JsonNode> lines =
        client
            .post(
                "/api/chat",
                "{\"model\":\"qwen3:0.6b\",\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"}]}")
            .lines();
    List<JsonNode> chunks = lines.subList(0, lines.size() - 1);
    int firstContent = -1;
    int thinkingChunks = 0;
    for (int i = 0; i < chunks.size(); i++) {
      JsonNode message = chunks.get(i).get("message");
      if (message.has("thinking")) {
        thinkingChunks++;
        assertThat(firstContent).as("thinking after content at %d", i).isEqualTo(-1);
        assertThat(message.get("content").asText()).isEmpty();
      } else if (firstContent < 0) {
        firstContent = i;
      }
    }
    assertThat(thinkingChunks).isPositive();
    assertThat(firstContent).isPositive();
    assertThat(lines.get(lines.size() - 1).get("eval_count").asInt()).isEqualTo(chunks.size());

    JsonNode whole =
        client
            .post(
                "/api/generate",
                "{\"model\":\"qwen3:0.6b\",\"prompt\":\"2+2?\",\"think\":true,\"stream\":false}")
            .json();
    assertThat(whole.get("thinking").asText()).startsWith("Okay");
    assertThat(whole.get("response").asText()).isNotBlank();

    JsonNode noThinking =
        client
            .post(
                "/api/generate",
                "{\"model\":\"qwen3:0.6b\",\"prompt\":\"2+2?\",\"think\":false,\"stream\":false}")
            .json();
    assertThat(noThinking.has("thinking")).isFalse();
  }

  @Test
  void thinkIsRejectedLikeOllamaForModelsThatCannotThink() {
    SimClient.Reply reply =
        client.post(
            "/api/generate", "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"x\",\"think\":true}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("\"qwen2.5:0.5b\" does not support thinking");

    SimClient.Reply level =
        client.post(
            "/api/chat",
            "{\"model\":\"qwen3:0.6b\",\"think\":\"high\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(level.status()).isEqualTo(400);
    assertThat(level.error()).isEqualTo("think value \"high\" is not supported for this model");
  }

  @Test
  void unknownModelsAreNotFound() {
    SimClient.Reply generate =
        client.post("/api/generate", "{\"model\":\"missing:7b\",\"prompt\":\"x\"}");
    assertThat(generate.status()).isEqualTo(404);
    assertThat(generate.body()).isEqualTo("{\"error\":\"model 'missing:7b' not found\"}");

    SimClient.Reply chat =
        client.post(
            "/api/chat",
            "{\"model\":\"missing:7b\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(chat.status()).isEqualTo(404);
    assertThat(chat.error()).isEqualTo("model 'missing:7b' not found");
  }

  @Test
  void badRequestsGetOllamaErrors() {
    SimClient.Reply noModel =
        client.post("/api/chat", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(noModel.status()).isEqualTo(400);
    assertThat(noModel.error()).isEqualTo("model is required");

    SimClient.Reply empty = client.post("/api/generate", "");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.error()).isEqualTo("missing request body");

    SimClient.Reply syntax = client.post("/api/generate", "{not json");
    assertThat(syntax.status()).isEqualTo(400);
    assertThat(syntax.error()).startsWith("invalid character");

    SimClient.Reply truncated = client.post("/api/chat", "{\"model\":\"qwen2.5:0.5b\"");
    assertThat(truncated.status()).isEqualTo(400);
    assertThat(truncated.error()).isEqualTo("unexpected EOF");

    SimClient.Reply wrongType =
        client.post("/api/generate", "{\"model\":\"qwen2.5:0.5b\",\"prompt\":42}");
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.error())
        .isEqualTo(
            "json: cannot unmarshal number into Go struct field GenerateRequest.prompt of type"
                + " string");

    SimClient.Reply keepAlive =
        client.post(
            "/api/generate", "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"x\",\"keep_alive\":\"5x\"}");
    assertThat(keepAlive.status()).isEqualTo(400);
    assertThat(keepAlive.error()).isEqualTo("time: unknown unit \"x\" in duration \"5x\"");

    SimClient.Reply raw =
        client.post(
            "/api/generate",
            "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"x\",\"raw\":true,\"system\":\"s\"}");
    assertThat(raw.status()).isEqualTo(400);
    assertThat(raw.error()).isEqualTo("raw mode does not support template, system, or context");
  }

  @Test
  void capabilitiesAreChecked() {
    SimClient.Reply generate =
        client.post("/api/generate", "{\"model\":\"nomic-embed-text\",\"prompt\":\"x\"}");
    assertThat(generate.status()).isEqualTo(400);
    assertThat(generate.error()).isEqualTo("\"nomic-embed-text\" does not support generate");

    SimClient.Reply chat =
        client.post(
            "/api/chat",
            "{\"model\":\"nomic-embed-text\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(chat.status()).isEqualTo(400);
    assertThat(chat.error()).isEqualTo("\"nomic-embed-text\" does not support chat");

    SimClient.Reply tools =
        client.post(
            "/api/chat",
            "{\"model\":\"plain:1b\",\"tools\":[{\"type\":\"function\"}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(tools.status()).isEqualTo(400);
    assertThat(tools.error())
        .isEqualTo("registry.ollama.ai/library/plain:1b does not support tools");

    SimClient.Reply toolsOk =
        client.post(
            "/api/chat",
            "{\"model\":\"qwen2.5:0.5b\",\"stream\":false,\"tools\":[{\"type\":\"function\"}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(toolsOk.status()).isEqualTo(200);

    SimClient.Reply suffix =
        client.post(
            "/api/generate", "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"x\",\"suffix\":\"y\"}");
    assertThat(suffix.status()).isEqualTo(400);
    assertThat(suffix.error())
        .isEqualTo("registry.ollama.ai/library/qwen2.5:0.5b does not support insert");
  }

  @Test
  void unknownPathsAndMethodsAreRejectedLikeGin() {
    SimClient.Reply unknown = client.get("/api/nothing");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("404 page not found");
    assertThat(unknown.contentType()).isEqualTo("text/plain");

    SimClient.Reply wrongMethod = client.get("/api/generate");
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(wrongMethod.body()).isEqualTo("405 method not allowed");
    assertThat(wrongMethod.contentType()).isEqualTo("text/plain");

    assertThat(client.post("/api/tags", "{}").status()).isEqualTo(405);
    assertThat(client.post("/api/delete", "{\"model\":\"x\"}").status()).isEqualTo(405);
  }

  @Test
  void statsCountRequestsPerEndpointAndModel() {
    long before = sim.stats().requests(Endpoint.EMBED);
    long beforeModel = sim.stats().requestsForModel("nomic-embed-text:latest");
    client.post("/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":\"a\"}");
    client.post("/api/embed", "{\"model\":\"nomic-embed-text:latest\",\"input\":\"b\"}");
    assertThat(sim.stats().requests(Endpoint.EMBED)).isEqualTo(before + 2);
    assertThat(sim.stats().requestsForModel("nomic-embed-text")).isEqualTo(beforeModel + 2);
    assertThat(sim.stats().byModel()).containsKey("nomic-embed-text:latest");
    long unmatched = sim.stats().unmatchedRequests();
    client.get("/nowhere");
    assertThat(sim.stats().unmatchedRequests()).isEqualTo(unmatched + 1);
  }

  private static String generateText(String body) {
    SimClient.Reply reply = client.post("/api/generate", body);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json().get("response").asText();
  }

  private static JsonNode find(JsonNode models, String name) {
    for (JsonNode model : models) {
      if (model.get("name").asText().equals(name)) {
        return model;
      }
    }
    throw new AssertionError("no model " + name + " in " + models);
  }
}
