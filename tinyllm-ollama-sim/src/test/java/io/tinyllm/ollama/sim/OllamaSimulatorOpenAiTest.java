package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI-compatible endpoints over real HTTP, in the shapes Ollama v0.13.5 writes them ({@code
 * openai/openai.go}, {@code middleware/openai.go}).
 */
class OllamaSimulatorOpenAiTest {
  private static final String WEATHER_TOOL =
      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
          + "\"description\":\"Get the weather in a given city\",\"parameters\":{\"type\":\"object\","
          + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";
  private static final String PING = "\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]";
  private static final String WEATHER =
      "\"messages\":[{\"role\":\"user\",\"content\":\"what is the weather in tokyo?\"}]";

  private static OllamaSimulator sim;
  private static SimClient client;

  @BeforeAll
  static void start() throws Exception {
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder()
                .timeScale(0.01)
                .cannedAnswer("ping", "pong, and a few more words")
                .cannedAnswer(
                    "what is the weather in tokyo?",
                    "tool_calls:[{\"name\":\"get_weather\",\"arguments\":"
                        + "{\"unit\":\"celsius\",\"city\":\"Tokyo\"}}]")
                .cannedAnswer("{\"temperature\":21}", "It is 21 degrees in Tokyo.")
                .build());
    client = new SimClient(sim.baseUri());
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @AfterEach
  void clearFaults() {
    sim.faults().clear();
  }

  @Test
  void aChatCompletionCarriesTheAnswerAndTheNativeTokenCounts() {
    SimClient.Reply reply =
        client.post("/v1/chat/completions", "{\"model\":\"qwen2.5:0.5b\"," + PING + "}");
    JsonNode nativeAnswer =
        client
            .post("/api/chat", "{\"model\":\"qwen2.5:0.5b\",\"stream\":false," + PING + "}")
            .json();

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/json");
    assertThat(reply.body()).endsWith("}\n"); // Go's json.Encoder
    JsonNode answer = reply.json();
    assertThat(fieldNames(answer))
        .containsExactly(
            "id", "object", "created", "model", "system_fingerprint", "choices", "usage");
    assertThat(answer.get("id").asText()).matches("chatcmpl-\\d{1,3}");
    assertThat(answer.get("object").asText()).isEqualTo("chat.completion");
    assertThat(answer.get("model").asText()).isEqualTo("qwen2.5:0.5b");
    assertThat(answer.get("system_fingerprint").asText()).isEqualTo("fp_ollama");
    assertThat(answer.get("created").asLong())
        .isBetween(Instant.now().getEpochSecond() - 60, Instant.now().getEpochSecond() + 1);
    JsonNode choice = answer.at("/choices/0");
    assertThat(fieldNames(choice)).containsExactly("index", "message", "finish_reason");
    assertThat(choice.get("message"))
        .isEqualTo(json("{\"role\":\"assistant\",\"content\":\"pong, and a few more words\"}"));
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = answer.get("usage");
    assertThat(usage.get("prompt_tokens").asInt())
        .isEqualTo(nativeAnswer.get("prompt_eval_count").asInt())
        .isGreaterThan(20); // the rendered template, not just "ping"
    assertThat(usage.get("completion_tokens").asInt())
        .isEqualTo(nativeAnswer.get("eval_count").asInt())
        .isEqualTo(Tokenizer.count("pong, and a few more words"));
    assertThat(usage.get("total_tokens").asInt())
        .isEqualTo(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());
  }

  @Test
  void aStreamedChatIsServerSentEventsEndingWithUsageAndDone() {
    SimClient.Reply reply =
        client.post(
            "/v1/chat/completions",
            "{\"model\":\"qwen2.5:0.5b\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},"
                + PING
                + "}");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("text/event-stream");
    assertThat(reply.body()).endsWith("data: [DONE]\n\n");
    List<JsonNode> events = events(reply.body());
    int tokens = Tokenizer.count("pong, and a few more words");
    // one event per token, the final native line, the usage, [DONE] (not parsed)
    assertThat(events).hasSize(tokens + 2);
    StringBuilder text = new StringBuilder();
    String id = events.get(0).get("id").asText();
    for (JsonNode event : events.subList(0, tokens + 1)) {
      assertThat(event.get("id").asText()).isEqualTo(id);
      assertThat(event.get("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(event.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
      text.append(event.at("/choices/0/delta/content").asText());
    }
    assertThat(text).hasToString("pong, and a few more words");
    assertThat(events.get(0).at("/choices/0/finish_reason").isNull()).isTrue();
    assertThat(events.get(tokens).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = events.get(tokens + 1);
    assertThat(usage.get("choices")).isEmpty();
    assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(tokens);
    assertThat(usage.at("/usage/prompt_tokens").asInt()).isGreaterThan(20);
  }

  @Test
  void aChunkHasOllamasFieldsInGosOrder() {
    String body =
        client
            .post(
                "/v1/chat/completions", "{\"model\":\"qwen2.5:0.5b\",\"stream\":true," + PING + "}")
            .body();

    String first = body.substring(0, body.indexOf("\n\n"));
    assertThat(
            first
                .replaceAll("\"id\":\"chatcmpl-\\d+\"", "\"id\":\"ID\"")
                .replaceAll("\"created\":\\d+", "\"created\":0"))
        .isEqualTo(
            "data: {\"id\":\"ID\",\"object\":\"chat.completion.chunk\",\"created\":0,"
                + "\"model\":\"qwen2.5:0.5b\",\"system_fingerprint\":\"fp_ollama\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"pong\"},"
                + "\"finish_reason\":null}]}");
  }

  @Test
  void logprobsComeAsChoiceLogprobsContent() {
    JsonNode answer =
        client
            .post(
                "/v1/chat/completions",
                "{\"model\":\"qwen2.5:0.5b\",\"logprobs\":true,\"top_logprobs\":2," + PING + "}")
            .json();

    JsonNode content = answer.at("/choices/0/logprobs/content");
    assertThat(content).hasSize(answer.at("/usage/completion_tokens").asInt());
    assertThat(content.get(0).get("token").asText()).isEqualTo("pong");
    assertThat(content.get(0).get("top_logprobs")).hasSize(2);
    assertThat(content.get(0).get("logprob").asDouble()).isNegative();
  }

  @Test
  void withoutIncludeUsageNoUsageChunkIsSent() {
    SimClient.Reply reply =
        client.post(
            "/v1/chat/completions", "{\"model\":\"qwen2.5:0.5b\",\"stream\":true," + PING + "}");

    List<JsonNode> events = events(reply.body());
    assertThat(events).allSatisfy(event -> assertThat(event.has("usage")).isFalse());
    assertThat(events.get(events.size() - 1).at("/choices/0/finish_reason").asText())
        .isEqualTo("stop");
  }

  @Test
  void scriptedToolCallsComeAsOpenAiToolCalls() {
    JsonNode answer =
        client
            .post(
                "/v1/chat/completions",
                "{\"model\":\"qwen2.5:0.5b\"," + WEATHER + "," + WEATHER_TOOL + "}")
            .json();

    JsonNode choice = answer.at("/choices/0");
    assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(choice.at("/message/content").asText()).isEmpty();
    JsonNode call = choice.at("/message/tool_calls/0");
    assertThat(fieldNames(call)).containsExactly("id", "index", "type", "function");
    assertThat(call.get("id").asText()).matches("call_[a-z0-9]{8}");
    assertThat(call.get("type").asText()).isEqualTo("function");
    assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
    // a JSON string with Go's sorted map keys
    assertThat(call.at("/function/arguments").asText())
        .isEqualTo("{\"city\":\"Tokyo\",\"unit\":\"celsius\"}");
    assertThat(answer.at("/usage/completion_tokens").asInt()).isPositive();
  }

  @Test
  void streamedToolCallsComeInOneChunkAndTheLastSaysToolCalls() {
    List<JsonNode> events =
        events(
            client
                .post(
                    "/v1/chat/completions",
                    "{\"model\":\"qwen2.5:0.5b\",\"stream\":true,"
                        + WEATHER
                        + ","
                        + WEATHER_TOOL
                        + "}")
                .body());

    assertThat(events).hasSize(2);
    assertThat(events.get(0).at("/choices/0/delta/tool_calls/0/function/name").asText())
        .isEqualTo("get_weather");
    assertThat(events.get(0).at("/choices/0/finish_reason").isNull()).isTrue();
    assertThat(events.get(1).at("/choices/0/delta/tool_calls").isMissingNode()).isTrue();
    assertThat(events.get(1).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
  }

  @Test
  void aToolResultIsAnsweredWithItsArgumentsParsedFromTheString() {
    String body =
        "{\"model\":\"qwen2.5:0.5b\","
            + WEATHER_TOOL
            + ",\"messages\":["
            + "{\"role\":\"user\",\"content\":\"what is the weather in tokyo?\"},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\","
            + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"arguments\":\"{\\\"city\\\":\\\"Tokyo\\\"}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"{\\\"temperature\\\":21}\"}]}";

    JsonNode answer = client.post("/v1/chat/completions", body).json();

    assertThat(answer.at("/choices/0/message/content").asText())
        .isEqualTo("It is 21 degrees in Tokyo.");
    assertThat(answer.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void badToolCallArgumentsAreTheMiddlewaresError() {
    String body =
        "{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":"
            + "[{\"function\":{\"name\":\"f\",\"arguments\":\"not json\"}}]}]}";

    SimClient.Reply reply = client.post("/v1/chat/completions", body);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json())
        .isEqualTo(
            json(
                "{\"error\":{\"message\":\"invalid tool call arguments\","
                    + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}"));
  }

  @Test
  void aCompletionIsATextCompletion() {
    JsonNode answer =
        client.post("/v1/completions", "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"ping\"}").json();

    assertThat(fieldNames(answer))
        .containsExactly(
            "id", "object", "created", "model", "system_fingerprint", "choices", "usage");
    assertThat(answer.get("id").asText()).matches("cmpl-\\d{1,3}");
    assertThat(answer.get("object").asText()).isEqualTo("text_completion");
    assertThat(answer.at("/choices/0"))
        .isEqualTo(
            json(
                "{\"text\":\"pong, and a few more words\",\"index\":0,\"finish_reason\":\"stop\"}"));
    assertThat(answer.at("/usage/completion_tokens").asInt())
        .isEqualTo(Tokenizer.count("pong, and a few more words"));
  }

  @Test
  void maxTokensCutsTheCompletionWithFinishReasonLength() {
    JsonNode answer =
        client
            .post(
                "/v1/completions",
                "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"ping\",\"max_tokens\":2}")
            .json();

    assertThat(answer.at("/choices/0/text").asText()).isEqualTo("pong,");
    assertThat(answer.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(answer.at("/usage/completion_tokens").asInt()).isEqualTo(2);
  }

  @Test
  void aStreamedCompletionCarriesZeroUsageOnEveryChunkAndTheRealOneLast() {
    SimClient.Reply reply =
        client.post(
            "/v1/completions",
            "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"ping\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");

    assertThat(reply.contentType()).isEqualTo("text/event-stream");
    assertThat(reply.body()).endsWith("data: [DONE]\n\n");
    List<JsonNode> events = events(reply.body());
    JsonNode last = events.get(events.size() - 1);
    StringBuilder text = new StringBuilder();
    for (JsonNode event : events.subList(0, events.size() - 1)) {
      assertThat(fieldNames(event))
          .containsExactly(
              "id", "object", "created", "choices", "model", "system_fingerprint", "usage");
      assertThat(event.at("/usage/total_tokens").asInt()).isZero();
      text.append(event.at("/choices/0/text").asText());
    }
    assertThat(text).hasToString("pong, and a few more words");
    assertThat(events.get(events.size() - 2).at("/choices/0/finish_reason").asText())
        .isEqualTo("stop");
    assertThat(last.get("choices")).isEmpty();
    assertThat(last.at("/usage/completion_tokens").asInt())
        .isEqualTo(Tokenizer.count("pong, and a few more words"));
  }

  @Test
  void embeddingsAreAListOfVectorsWithUsage() {
    JsonNode answer =
        client
            .post(
                "/v1/embeddings",
                "{\"model\":\"nomic-embed-text\",\"input\":[\"the sky is blue\",\"grass\"]}")
            .json();
    JsonNode nativeAnswer =
        client
            .post(
                "/api/embed",
                "{\"model\":\"nomic-embed-text\",\"input\":[\"the sky is blue\",\"grass\"]}")
            .json();

    assertThat(fieldNames(answer)).containsExactly("object", "data", "model", "usage");
    assertThat(answer.get("object").asText()).isEqualTo("list");
    assertThat(answer.get("model").asText()).isEqualTo("nomic-embed-text");
    assertThat(answer.get("data")).hasSize(2);
    assertThat(fieldNames(answer.at("/data/1"))).containsExactly("object", "embedding", "index");
    assertThat(answer.at("/data/1/index").asInt()).isEqualTo(1);
    assertThat(answer.at("/data/0/embedding")).hasSize(768);
    assertThat(answer.at("/data/0/embedding")).isEqualTo(nativeAnswer.at("/embeddings/0"));
    assertThat(answer.at("/usage/prompt_tokens").asInt())
        .isEqualTo(nativeAnswer.get("prompt_eval_count").asInt())
        .isEqualTo(answer.at("/usage/total_tokens").asInt())
        .isPositive();
  }

  @Test
  void base64EmbeddingsAreLittleEndianFloats() {
    String request = "{\"model\":\"nomic-embed-text\",\"input\":\"grass\",\"dimensions\":16";
    JsonNode floats = client.post("/v1/embeddings", request + "}").json();
    JsonNode encoded =
        client.post("/v1/embeddings", request + ",\"encoding_format\":\"base64\"}").json();

    ByteBuffer bytes =
        ByteBuffer.wrap(Base64.getDecoder().decode(encoded.at("/data/0/embedding").asText()))
            .order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(16 * 4);
    for (JsonNode value : floats.at("/data/0/embedding")) {
      assertThat(bytes.getFloat()).isEqualTo(value.floatValue());
    }
  }

  @Test
  void embeddingRequestsAreCheckedByTheMiddlewareFirst() {
    SimClient.Reply format =
        client.post(
            "/v1/embeddings",
            "{\"model\":\"nomic-embed-text\",\"input\":\"x\",\"encoding_format\":\"int8\"}");
    SimClient.Reply noInput = client.post("/v1/embeddings", "{\"model\":\"nomic-embed-text\"}");

    assertThat(format.status()).isEqualTo(400);
    assertThat(format.contentType()).isEqualTo("application/json; charset=utf-8");
    assertThat(format.json().at("/error/message").asText())
        .isEqualTo(
            "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64'].");
    assertThat(format.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(noInput.json().at("/error/message").asText()).isEqualTo("invalid input");
  }

  @Test
  void modelsListTheInstalledModels() {
    JsonNode list = client.get("/v1/models").json();
    JsonNode tags = client.get("/api/tags").json();

    assertThat(list.get("object").asText()).isEqualTo("list");
    assertThat(list.get("data")).hasSize(tags.get("models").size());
    JsonNode first = list.at("/data/0");
    assertThat(fieldNames(first)).containsExactly("id", "object", "created", "owned_by");
    assertThat(first.get("id").asText()).isEqualTo(tags.at("/models/0/name").asText());
    assertThat(first.get("object").asText()).isEqualTo("model");
    assertThat(first.get("owned_by").asText()).isEqualTo("library");
    assertThat(first.get("created").asLong())
        .isEqualTo(Instant.parse(tags.at("/models/0/modified_at").asText()).getEpochSecond());
  }

  @Test
  void oneModelIsRetrievedByName() {
    SimClient.Reply found = client.get("/v1/models/qwen2.5:0.5b");
    SimClient.Reply missing = client.get("/v1/models/nope:1b");

    assertThat(found.status()).isEqualTo(200);
    assertThat(found.json().get("id").asText()).isEqualTo("qwen2.5:0.5b");
    assertThat(found.json().get("owned_by").asText()).isEqualTo("library");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.contentType()).isEqualTo("application/json");
    // v0.13.5 types every error of the native handler as api_error, whatever its status
    assertThat(missing.json())
        .isEqualTo(
            json(
                "{\"error\":{\"message\":\"model 'nope:1b' not found\",\"type\":\"api_error\","
                    + "\"param\":null,\"code\":null}}"));
  }

  @Test
  void errorsKeepTheirStatusInOpenAiShape() {
    SimClient.Reply unknown =
        client.post("/v1/chat/completions", "{\"model\":\"nope:1b\"," + PING + "}");
    SimClient.Reply noMessages =
        client.post("/v1/chat/completions", "{\"model\":\"qwen2.5:0.5b\",\"messages\":[]}");
    SimClient.Reply wrongType =
        client.post("/v1/chat/completions", "{\"model\":\"qwen2.5:0.5b\",\"stream\":\"yes\"}");
    SimClient.Reply empty = client.post("/v1/chat/completions", "");

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().at("/error/message").asText()).isEqualTo("model 'nope:1b' not found");
    assertThat(noMessages.status()).isEqualTo(400);
    assertThat(noMessages.json().at("/error/message").asText())
        .isEqualTo("[] is too short - 'messages'");
    assertThat(noMessages.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(wrongType.json().at("/error/message").asText())
        .isEqualTo(
            "json: cannot unmarshal string into Go struct field ChatCompletionRequest.stream of"
                + " type bool");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.json().at("/error/message").asText()).isEqualTo("EOF");
  }

  @Test
  void theRouterAnswersUnknownPathsAndMethodsInPlainText() {
    SimClient.Reply method = client.get("/v1/chat/completions");
    SimClient.Reply path = client.get("/v1/nothing");
    SimClient.Reply nested = client.get("/v1/models/library/qwen2.5:0.5b");

    assertThat(method.status()).isEqualTo(405);
    assertThat(method.body()).isEqualTo("405 method not allowed");
    assertThat(path.status()).isEqualTo(404);
    assertThat(path.body()).isEqualTo("404 page not found");
    assertThat(nested.status()).isEqualTo(404);
  }

  @Test
  void injectedFailuresAreAnsweredAsOpenAiErrorsAndCounted() {
    long before = sim.stats().requests(Endpoint.OPENAI_CHAT);
    sim.faults().failNext(1, 500);

    SimClient.Reply reply =
        client.post("/v1/chat/completions", "{\"model\":\"qwen2.5:0.5b\"," + PING + "}");

    assertThat(reply.status()).isEqualTo(500);
    assertThat(reply.json().at("/error/message").asText()).isEqualTo(FaultInjector.DEFAULT_MESSAGE);
    assertThat(reply.json().at("/error/type").asText()).isEqualTo("api_error");
    assertThat(sim.stats().requests(Endpoint.OPENAI_CHAT)).isEqualTo(before + 1);
  }

  @Test
  void aMidStreamErrorEndsTheStreamWithoutDone() {
    // v0.13.5 decodes the error line as an empty chat response: an empty chunk, then the end
    sim.faults().midStreamError(2, "an error was encountered while running the model", 1);

    SimClient.Reply reply =
        client.post(
            "/v1/chat/completions", "{\"model\":\"qwen2.5:0.5b\",\"stream\":true," + PING + "}");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).doesNotContain("[DONE]");
    List<JsonNode> events = events(reply.body());
    assertThat(events).hasSize(3);
    JsonNode last = events.get(2);
    assertThat(last.at("/choices/0/delta"))
        .isEqualTo(json("{\"role\":\"assistant\",\"content\":\"\"}"));
    assertThat(last.at("/choices/0/finish_reason").isNull()).isTrue();
  }

  @Test
  void requestOptionsReachTheNativeHandler() {
    JsonNode json =
        client
            .post(
                "/v1/chat/completions",
                "{\"model\":\"qwen2.5:0.5b\",\"response_format\":{\"type\":\"json_object\"},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me a fact\"}]}")
            .json();
    SimClient.Reply effort =
        client.post(
            "/v1/chat/completions",
            "{\"model\":\"qwen2.5:0.5b\",\"reasoning_effort\":\"high\"," + PING + "}");
    SimClient.Reply badEffort =
        client.post(
            "/v1/chat/completions",
            "{\"model\":\"qwen2.5:0.5b\",\"reasoning_effort\":\"extreme\"," + PING + "}");

    // format "json" answers {"answer": ...}
    assertThat(SimClient.parse(json.at("/choices/0/message/content").asText()).has("answer"))
        .isTrue();
    // a think level reaches the native check for models that do not take one
    assertThat(effort.status()).isEqualTo(400);
    assertThat(effort.json().at("/error/message").asText())
        .isEqualTo("think value \"high\" is not supported for this model");
    assertThat(effort.json().at("/error/type").asText()).isEqualTo("api_error");
    assertThat(badEffort.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void malformedMessagesAndStopsAreRejectedByTheMiddleware() {
    SimClient.Reply image =
        client.post(
            "/v1/chat/completions",
            "{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]}]}");
    SimClient.Reply noContent =
        client.post(
            "/v1/chat/completions",
            "{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":\"user\"}]}");
    SimClient.Reply stop =
        client.post(
            "/v1/completions", "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"x\",\"stop\":[\"a\",1]}");

    assertThat(image.status()).isEqualTo(400);
    assertThat(image.json().at("/error/message").asText()).isEqualTo("invalid image input");
    assertThat(noContent.json().at("/error/message").asText())
        .isEqualTo("invalid message content type: <nil>");
    assertThat(
            client
                .post(
                    "/v1/chat/completions",
                    "{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":1,\"content\":\"x\"}]}")
                .json()
                .at("/error/message")
                .asText())
        .isEqualTo(
            "json: cannot unmarshal number into Go struct field Message.messages.role of type"
                + " string");
    assertThat(stop.json().at("/error/message").asText())
        .isEqualTo("invalid type for 'stop' field: float64");
  }

  @Test
  void anEmptyInputEmbedsOneEmptyString() {
    JsonNode answer =
        client.post("/v1/embeddings", "{\"model\":\"nomic-embed-text\",\"input\":\"\"}").json();

    assertThat(answer.get("data")).hasSize(1);
    assertThat(answer.at("/data/0/embedding")).hasSize(768);
  }

  @Test
  void aMalformedLineFaultReachesTheClientAsABrokenEvent() {
    sim.faults().malformedLineAfter(1, 1);

    SimClient.Reply reply =
        client.post(
            "/v1/chat/completions", "{\"model\":\"qwen2.5:0.5b\",\"stream\":true," + PING + "}");

    String second = reply.body().split("\n\n")[1];
    assertThat(second).startsWith("data: {\"model\"");
    assertThat(reply.body()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void sixConcurrentChatsAllWaitForTheirTurn() throws Exception {
    String body = "{\"model\":\"qwen2.5:0.5b\"," + PING + "}";
    assertThat(client.post("/v1/chat/completions", body).status()).isEqualTo(200); // loaded

    List<SimClient.Reply> replies =
        PeerFixture.sixAtOnce(sim, () -> client.post("/v1/chat/completions", body));

    for (SimClient.Reply reply : replies) {
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.json().at("/choices/0/message/content").asText())
          .isEqualTo("pong, and a few more words");
    }
  }

  private static List<JsonNode> events(String body) {
    List<JsonNode> events = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      assertThat(event).startsWith("data: ");
      String data = event.substring("data: ".length());
      if (!"[DONE]".equals(data)) {
        events.add(SimClient.parse(data));
      }
    }
    return events;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode json(String text) {
    return SimClient.parse(text);
  }
}
