package io.tinyllm.ollama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tinyllm.api.error.BadRequestException;
import io.tinyllm.api.error.MalformedResponseException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.ResponseFormat;
import io.tinyllm.api.llm.ToolCall;
import io.tinyllm.api.llm.ToolDefinition;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Ollama's JSON: request bodies out, responses and stream chunks in. */
final class OllamaJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

  private OllamaJson() {}

  static String generateBody(GenerateRequest request, boolean stream) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("model", request.model());
    body.put("prompt", request.prompt());
    body.put("stream", stream);
    if (request.system() != null) {
      body.put("system", request.system());
    }
    common(body, request.options(), request.format(), request.keepAlive(), request.think());
    logprobs(body, request.logprobs(), request.topLogprobs());
    return write(body);
  }

  static String chatBody(ChatRequest request, boolean stream) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("model", request.model());
    ArrayNode messages = body.putArray("messages");
    for (ChatMessage message : request.messages()) {
      message(messages.addObject(), message);
    }
    body.put("stream", stream);
    common(body, request.options(), request.format(), request.keepAlive(), request.think());
    if (!request.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      request.tools().forEach(tool -> tool(tools.addObject(), tool));
    }
    logprobs(body, request.logprobs(), request.topLogprobs());
    return write(body);
  }

  /** A chat message as Ollama's {@code api.Message}: tool fields only when set. */
  private static void message(ObjectNode node, ChatMessage message) {
    node.put("role", message.role().wireName()).put("content", message.content());
    if (!message.toolCalls().isEmpty()) {
      ArrayNode calls = node.putArray("tool_calls");
      for (ToolCall call : message.toolCalls()) {
        ObjectNode out = calls.addObject();
        if (call.id() != null) {
          out.put("id", call.id());
        }
        out.putObject("function")
            .put("name", call.name())
            .set(
                "arguments",
                jsonObject(call.argumentsJson(), "arguments of tool call " + call.name()));
      }
    }
    if (message.toolName() != null) {
      node.put("tool_name", message.toolName());
    }
    if (message.toolCallId() != null) {
      node.put("tool_call_id", message.toolCallId());
    }
  }

  /** {@code {"type":"function","function":{"name","description","parameters"}}}. */
  private static void tool(ObjectNode node, ToolDefinition tool) {
    ObjectNode function = node.put("type", "function").putObject("function");
    function.put("name", tool.name());
    if (tool.description() != null) {
      function.put("description", tool.description());
    }
    function.set(
        "parameters", jsonObject(tool.parametersJson(), "parameters of tool " + tool.name()));
  }

  private static JsonNode jsonObject(String json, String what) {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || !node.isObject()) {
        throw new BadRequestException(
            "The " + what + " must be a JSON object: " + abbreviate(json));
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new BadRequestException("The " + what + " are not valid JSON: " + abbreviate(json), e);
    }
  }

  /** Ollama omits {@code logprobs} and {@code top_logprobs} when false and 0; so do we. */
  private static void logprobs(ObjectNode body, boolean logprobs, int topLogprobs) {
    if (logprobs) {
      body.put("logprobs", true);
      if (topLogprobs > 0) {
        body.put("top_logprobs", topLogprobs);
      }
    }
  }

  static String embedBody(EmbedRequest request) {
    ObjectNode body = MAPPER.createObjectNode();
    body.put("model", request.model());
    ArrayNode input = body.putArray("input");
    request.input().forEach(input::add);
    if (request.truncate() != null) {
      body.put("truncate", request.truncate());
    }
    keepAlive(body, request.keepAlive());
    return write(body);
  }

  /** {@code {"model": name}} plus {@code "stream"} when given. */
  /**
   * The body of {@code POST /api/create} deriving {@code model} from {@code from}, as {@code ollama
   * run}'s {@code /save} sends it: the system message, the parameters and the conversation, each
   * only when there is one; not streamed.
   */
  static String createBody(
      String model,
      String from,
      String system,
      GenerationOptions parameters,
      List<ChatMessage> messages) {
    ObjectNode body = MAPPER.createObjectNode().put("model", model).put("from", from);
    if (system != null) {
      body.put("system", system);
    }
    ObjectNode opts = options(parameters);
    if (!opts.isEmpty()) {
      body.set("parameters", opts);
    }
    if (!messages.isEmpty()) {
      ArrayNode list = body.putArray("messages");
      messages.forEach(message -> message(list.addObject(), message));
    }
    body.put("stream", false);
    return write(body);
  }

  static String modelBody(String model, Boolean stream) {
    ObjectNode body = MAPPER.createObjectNode().put("model", model);
    if (stream != null) {
      body.put("stream", stream);
    }
    return write(body);
  }

  /** {@code {"source": ..., "destination": ...}} of {@code /api/copy}. */
  static String copyBody(String source, String destination) {
    return write(MAPPER.createObjectNode().put("source", source).put("destination", destination));
  }

  private static void common(
      ObjectNode body,
      GenerationOptions options,
      ResponseFormat format,
      String keepAlive,
      Boolean think) {
    if (format != null) {
      try {
        body.set("format", MAPPER.readTree(format.rawJson()));
      } catch (JsonProcessingException e) {
        throw new BadRequestException(
            "The response format is not valid JSON: " + format.rawJson(), e);
      }
    }
    ObjectNode opts = options(options);
    if (!opts.isEmpty()) {
      body.set("options", opts);
    }
    keepAlive(body, keepAlive);
    if (think != null) {
      body.put("think", think);
    }
  }

  static ObjectNode options(GenerationOptions options) {
    ObjectNode node = MAPPER.createObjectNode();
    if (options.temperature() != null) {
      node.put("temperature", options.temperature());
    }
    if (options.topP() != null) {
      node.put("top_p", options.topP());
    }
    if (options.topK() != null) {
      node.put("top_k", options.topK());
    }
    if (options.numPredict() != null) {
      node.put("num_predict", options.numPredict());
    }
    if (!options.stop().isEmpty()) {
      ArrayNode stop = node.putArray("stop");
      options.stop().forEach(stop::add);
    }
    if (options.seed() != null) {
      node.put("seed", options.seed());
    }
    if (options.numCtx() != null) {
      node.put("num_ctx", options.numCtx());
    }
    options.extra().forEach((name, value) -> node.set(name, MAPPER.valueToTree(value)));
    return node;
  }

  /**
   * Ollama reads a string {@code keep_alive} as a Go duration ({@code 5m}) and a number as seconds;
   * {@code "-1"} is not a Go duration, so numbers go out as numbers.
   */
  private static void keepAlive(ObjectNode body, String keepAlive) {
    if (keepAlive == null || keepAlive.isBlank()) {
      return;
    }
    String value = keepAlive.strip();
    if (NUMBER.matcher(value).matches()) {
      body.put("keep_alive", Double.parseDouble(value));
    } else {
      body.put("keep_alive", value);
    }
  }

  private static String write(ObjectNode body) {
    try {
      return MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a request body", e);
    }
  }

  /** Parses one JSON value; the message names what was being read. */
  static JsonNode parse(String text, String what) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new MalformedResponseException("Ollama sent an empty " + what);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new MalformedResponseException(
          "Ollama sent a " + what + " that is not valid JSON: " + abbreviate(text), e);
    }
  }

  /** The {@code error} of an error object, or {@code null} if {@code node} is not one. */
  static String error(JsonNode node) {
    JsonNode error = node.get("error");
    if (error == null || error.isNull()) {
      return null;
    }
    return error.isTextual() ? error.asText() : error.toString();
  }

  /**
   * Whether {@code chunk} is the last one.
   *
   * @throws MalformedResponseException if its {@code done} is not a boolean
   */
  static boolean done(Chunk chunk) {
    String done = chunk.doneText();
    if (done == null || chunk.done() || done.equals("false") || done.equals("null")) {
      return chunk.done();
    }
    throw new MalformedResponseException(
        "Ollama sent a chunk whose \"done\" is " + abbreviate(done) + ", not a boolean");
  }

  /** The error a chunk reports, or {@code null} if it reports none. */
  static String error(Chunk chunk) {
    if (!chunk.error()) {
      return null;
    }
    return chunk.errorText() == null ? "" : chunk.errorText();
  }

  /** The final response of a generate or chat call from its last chunk. */
  static LlmResponse response(
      Chunk last,
      String model,
      String text,
      String thinking,
      List<ToolCall> toolCalls,
      List<Logprob> logprobs) {
    return new LlmResponse(
        last.model() == null ? model : last.model(),
        text,
        thinking == null || thinking.isEmpty() ? null : thinking,
        last.doneReason(),
        Math.max(0, last.promptEvalCount()),
        Math.max(0, last.evalCount()),
        nanos(last.totalDuration()),
        nanos(last.loadDuration()),
        nanos(last.promptEvalDuration()),
        nanos(last.evalDuration()),
        toolCalls,
        logprobs);
  }

  private static Duration nanos(long nanos) {
    return nanos > 0 ? Duration.ofNanos(nanos) : Duration.ZERO;
  }

  static EmbedResponse embedResponse(JsonNode node, String model) {
    JsonNode embeddings = node.get("embeddings");
    if (embeddings == null || !embeddings.isArray()) {
      throw new MalformedResponseException(
          "Ollama's embed answer has no 'embeddings' array: " + abbreviate(node.toString()));
    }
    List<float[]> vectors = new ArrayList<>(embeddings.size());
    for (JsonNode embedding : embeddings) {
      float[] vector = new float[embedding.size()];
      for (int i = 0; i < vector.length; i++) {
        JsonNode value = embedding.get(i);
        if (value == null || !value.isNumber()) {
          throw new MalformedResponseException(
              "Ollama's embed answer has a value that is not a number: "
                  + abbreviate(String.valueOf(value)));
        }
        vector[i] = (float) value.asDouble();
      }
      vectors.add(vector);
    }
    return new EmbedResponse(
        textOr(node, "model", model),
        vectors,
        node.path("prompt_eval_count").asLong(0),
        nanos(node, "total_duration"),
        nanos(node, "load_duration"));
  }

  static List<LocalModel> localModels(JsonNode node) {
    List<LocalModel> models = new ArrayList<>();
    for (JsonNode m : node.path("models")) {
      models.add(
          new LocalModel(
              textOr(m, "name", textOr(m, "model", "")),
              textOr(m, "model", textOr(m, "name", "")),
              instant(m, "modified_at"),
              m.path("size").asLong(0),
              textOr(m, "digest", ""),
              details(m.get("details"))));
    }
    return List.copyOf(models);
  }

  static List<RunningModel> runningModels(JsonNode node) {
    List<RunningModel> models = new ArrayList<>();
    for (JsonNode m : node.path("models")) {
      models.add(
          new RunningModel(
              textOr(m, "name", textOr(m, "model", "")),
              textOr(m, "model", textOr(m, "name", "")),
              m.path("size").asLong(0),
              m.path("size_vram").asLong(0),
              textOr(m, "digest", ""),
              instant(m, "expires_at"),
              m.path("context_length").asLong(0),
              details(m.get("details"))));
    }
    return List.copyOf(models);
  }

  static ModelInfo modelInfo(JsonNode node, String name) {
    List<String> capabilities = new ArrayList<>();
    node.path("capabilities").forEach(c -> capabilities.add(c.asText()));
    Map<String, Object> info = new LinkedHashMap<>();
    JsonNode raw = node.get("model_info");
    if (raw != null && raw.isObject()) {
      for (Map.Entry<String, JsonNode> e : raw.properties()) {
        Object value = MAPPER.convertValue(e.getValue(), Object.class);
        if (value != null) {
          info.put(e.getKey(), value);
        }
      }
    }
    return new ModelInfo(
        name,
        textOr(node, "modelfile", ""),
        textOr(node, "parameters", ""),
        textOr(node, "template", ""),
        textOr(node, "license", ""),
        details(node.get("details")),
        capabilities,
        info,
        instant(node, "modified_at"));
  }

  static PullProgress pullProgress(JsonNode node, String model) {
    return new PullProgress(
        model,
        textOr(node, "status", ""),
        textOr(node, "digest", null),
        node.path("total").asLong(0),
        node.path("completed").asLong(0));
  }

  private static ModelDetails details(JsonNode node) {
    if (node == null || !node.isObject()) {
      return ModelDetails.UNKNOWN;
    }
    List<String> families = new ArrayList<>();
    node.path("families").forEach(f -> families.add(f.asText()));
    return new ModelDetails(
        textOr(node, "parent_model", ""),
        textOr(node, "format", ""),
        textOr(node, "family", ""),
        families,
        textOr(node, "parameter_size", ""),
        textOr(node, "quantization_level", ""));
  }

  private static String textOr(JsonNode node, String field, String fallback) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? fallback : value.asText();
  }

  private static Duration nanos(JsonNode node, String field) {
    long nanos = node.path(field).asLong(0);
    return nanos > 0 ? Duration.ofNanos(nanos) : Duration.ZERO;
  }

  private static Instant instant(JsonNode node, String field) {
    String text = textOr(node, field, null);
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** At most 200 characters of {@code text}, for messages. */
  static String abbreviate(String text) {
    String oneLine = text.strip();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
  }
}
