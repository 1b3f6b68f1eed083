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
  /** Databind, built on the first request body that needs it: answers are read without it. */
  private static final class Mapper {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

  private OllamaJson() {}

  static String generateBody(GenerateRequest request, boolean stream) {
    ObjectNode body = Mapper.MAPPER.createObjectNode();
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
    ObjectNode body = Mapper.MAPPER.createObjectNode();
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
      JsonNode node = Mapper.MAPPER.readTree(json);
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
    ObjectNode body = Mapper.MAPPER.createObjectNode();
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
    ObjectNode body = Mapper.MAPPER.createObjectNode().put("model", model).put("from", from);
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
    return JsonValues.body("model", model, "stream", stream);
  }

  /** {@code {"source": ..., "destination": ...}} of {@code /api/copy}. */
  static String copyBody(String source, String destination) {
    return JsonValues.body("source", source, "destination", destination);
  }

  private static void common(
      ObjectNode body,
      GenerationOptions options,
      ResponseFormat format,
      String keepAlive,
      Boolean think) {
    if (format != null) {
      try {
        body.set("format", Mapper.MAPPER.readTree(format.rawJson()));
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
    ObjectNode node = Mapper.MAPPER.createObjectNode();
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
    options.extra().forEach((name, value) -> node.set(name, Mapper.MAPPER.valueToTree(value)));
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
      return Mapper.MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a request body", e);
    }
  }

  /** The {@code error} of an error object, or {@code null} if {@code object} is not one. */
  static String error(Map<String, Object> object) {
    Object error = object.get("error");
    if (error == null) {
      return null;
    }
    return error instanceof String text ? text : JsonValues.json(error);
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

  static EmbedResponse embedResponse(Map<String, Object> answer, String model) {
    if (!(answer.get("embeddings") instanceof List<?> embeddings)) {
      throw new MalformedResponseException(
          "Ollama's embed answer has no 'embeddings' array: "
              + abbreviate(JsonValues.json(answer)));
    }
    List<float[]> vectors = new ArrayList<>(embeddings.size());
    for (Object embedding : embeddings) {
      List<?> values = embedding instanceof List<?> list ? list : List.of();
      float[] vector = new float[values.size()];
      for (int i = 0; i < vector.length; i++) {
        if (!(values.get(i) instanceof Number number)) {
          throw new MalformedResponseException(
              "Ollama's embed answer has a value that is not a number: "
                  + abbreviate(JsonValues.json(values.get(i))));
        }
        vector[i] = number.floatValue();
      }
      vectors.add(vector);
    }
    return new EmbedResponse(
        JsonValues.text(answer, "model", model),
        vectors,
        JsonValues.number(answer, "prompt_eval_count", 0),
        nanos(answer, "total_duration"),
        nanos(answer, "load_duration"));
  }

  static List<LocalModel> localModels(Map<String, Object> answer) {
    List<LocalModel> models = new ArrayList<>();
    for (Map<String, Object> m : objects(JsonValues.list(answer, "models"))) {
      models.add(
          new LocalModel(
              textOr(m, "name", textOr(m, "model", "")),
              textOr(m, "model", textOr(m, "name", "")),
              instant(m, "modified_at"),
              JsonValues.number(m, "size", 0),
              textOr(m, "digest", ""),
              details(JsonValues.object(m, "details"))));
    }
    return List.copyOf(models);
  }

  static List<RunningModel> runningModels(Map<String, Object> answer) {
    List<RunningModel> models = new ArrayList<>();
    for (Map<String, Object> m : objects(JsonValues.list(answer, "models"))) {
      models.add(
          new RunningModel(
              textOr(m, "name", textOr(m, "model", "")),
              textOr(m, "model", textOr(m, "name", "")),
              JsonValues.number(m, "size", 0),
              JsonValues.number(m, "size_vram", 0),
              textOr(m, "digest", ""),
              instant(m, "expires_at"),
              JsonValues.number(m, "context_length", 0),
              details(JsonValues.object(m, "details"))));
    }
    return List.copyOf(models);
  }

  static ModelInfo modelInfo(Map<String, Object> answer, String name) {
    List<String> capabilities = texts(JsonValues.list(answer, "capabilities"));
    Map<String, Object> info = new LinkedHashMap<>();
    Map<String, Object> raw = JsonValues.object(answer, "model_info");
    if (raw != null) {
      raw.forEach(
          (key, value) -> {
            if (value != null) {
              info.put(key, value);
            }
          });
    }
    return new ModelInfo(
        name,
        textOr(answer, "modelfile", ""),
        textOr(answer, "parameters", ""),
        textOr(answer, "template", ""),
        textOr(answer, "license", ""),
        details(JsonValues.object(answer, "details")),
        capabilities,
        info,
        instant(answer, "modified_at"));
  }

  static PullProgress pullProgress(Map<String, Object> line, String model) {
    return new PullProgress(
        model,
        textOr(line, "status", ""),
        textOr(line, "digest", null),
        JsonValues.number(line, "total", 0),
        JsonValues.number(line, "completed", 0));
  }

  private static ModelDetails details(Map<String, Object> details) {
    if (details == null) {
      return ModelDetails.UNKNOWN;
    }
    return new ModelDetails(
        textOr(details, "parent_model", ""),
        textOr(details, "format", ""),
        textOr(details, "family", ""),
        texts(JsonValues.list(details, "families")),
        textOr(details, "parameter_size", ""),
        textOr(details, "quantization_level", ""));
  }

  /** The objects of a list (others skipped, as databind's {@code path} would find nothing). */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> objects(List<Object> list) {
    List<Map<String, Object>> objects = new ArrayList<>(list.size());
    for (Object element : list) {
      objects.add(element instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of());
    }
    return objects;
  }

  /** Each element as text, as {@code asText()}. */
  private static List<String> texts(List<Object> list) {
    List<String> texts = new ArrayList<>(list.size());
    for (Object element : list) {
      texts.add(
          element == null
              ? "null"
              : element instanceof Map || element instanceof List ? "" : element.toString());
    }
    return texts;
  }

  private static String textOr(Map<String, Object> object, String field, String fallback) {
    return JsonValues.text(object, field, fallback);
  }

  private static Duration nanos(Map<String, Object> object, String field) {
    return nanos(JsonValues.number(object, field, 0));
  }

  private static Instant instant(Map<String, Object> object, String field) {
    String text = textOr(object, field, null);
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
