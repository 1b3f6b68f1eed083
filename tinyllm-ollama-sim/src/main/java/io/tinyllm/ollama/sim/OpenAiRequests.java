package io.tinyllm.ollama.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The request half of Ollama's OpenAI compatibility layer (v0.13.5 {@code openai/openai.go} {@code
 * FromChatRequest}, {@code FromCompleteRequest} and {@code middleware/openai.go}): an OpenAI
 * request body becomes the native request Ollama's own handler then serves. Every failure here is
 * the middleware's own 400 ({@code invalid_request_error}), thrown as an {@link ApiException}
 * before the native handler runs.
 */
final class OpenAiRequests {
  private static final Pattern JACKSON_CHAR = Pattern.compile("Unexpected character \\('(.)'");
  private static final List<String> IMAGE_PREFIXES =
      List.of(
          "data:image/jpeg;base64,",
          "data:image/jpg;base64,",
          "data:image/png;base64,",
          "data:image/webp;base64,");
  private static final List<String> EFFORTS = List.of("high", "medium", "low", "none");

  private OpenAiRequests() {}

  /**
   * What the response half needs to know of the request.
   *
   * @param id the answer's id, {@code chatcmpl-N} or {@code cmpl-N} (N below 999, as Ollama's)
   * @param stream whether the client asked for server-sent events
   * @param includeUsage {@code stream_options.include_usage}
   * @param model the model as the request named it (embeddings echo it)
   * @param encodingFormat {@code float}, {@code base64} or "" (embeddings)
   */
  record Options(
      String id, boolean stream, boolean includeUsage, String model, String encodingFormat) {
    static final Options NONE = new Options("", false, false, "", "");
  }

  /** A translated request: the native body and what the answer's translation needs. */
  record Translated(byte[] nativeBody, Options options) {}

  /** {@code POST /v1/chat/completions} as a native {@code /api/chat} request. */
  static Translated chat(ObjectMapper mapper, byte[] body) {
    Fields req = Fields.parse(mapper, body, "ChatCompletionRequest");
    String model = req.string("model");
    ArrayNode messages = req.array("messages", "[]openai.Message");
    boolean stream = req.bool("stream");
    boolean includeUsage = includeUsage(req);
    JsonNode maxTokens = req.integer("max_tokens", "int");
    JsonNode seed = req.integer("seed", "int");
    JsonNode stop = req.node("stop");
    JsonNode temperature = req.number("temperature", "float64");
    JsonNode frequencyPenalty = req.number("frequency_penalty", "float64");
    JsonNode presencePenalty = req.number("presence_penalty", "float64");
    JsonNode topP = req.number("top_p", "float64");
    ObjectNode responseFormat = req.object("response_format", "openai.ResponseFormat");
    ArrayNode tools = req.array("tools", "[]api.Tool");
    ObjectNode reasoning = req.object("reasoning", "openai.Reasoning");
    String reasoningEffort = req.string("reasoning_effort");
    boolean logprobs = req.bool("logprobs");
    JsonNode topLogprobs = req.integer("top_logprobs", "int");

    if (messages == null || messages.isEmpty()) {
      throw new ApiException(400, "[] is too short - 'messages'");
    }
    ObjectNode out = mapper.createObjectNode().put("model", model);
    ArrayNode nativeMessages = out.putArray("messages");
    for (JsonNode message : messages) {
      addMessages(mapper, nativeMessages, message, messages);
    }
    JsonNode format = responseFormat(responseFormat);
    if (format != null) {
      out.set("format", format);
    }
    ObjectNode options = out.putObject("options");
    if (stop != null && stop.isTextual()) {
      options.putArray("stop").add(stop.asText());
    } else if (stop != null && stop.isArray()) {
      ArrayNode stops = options.putArray("stop");
      stop.forEach(s -> addIfText(stops, s)); // chat drops what is not a string
    }
    putIfPresent(options, "num_predict", maxTokens);
    options.set("temperature", temperature != null ? temperature : mapper.valueToTree(1.0));
    putIfPresent(options, "seed", seed);
    putIfPresent(options, "frequency_penalty", frequencyPenalty);
    putIfPresent(options, "presence_penalty", presencePenalty);
    options.set("top_p", topP != null ? topP : mapper.valueToTree(1.0));
    out.put("stream", stream);
    if (tools != null && !tools.isEmpty()) {
      out.set("tools", tools);
    }
    String effort = reasoning != null ? text(reasoning.get("effort")) : reasoningEffort;
    if (!effort.isEmpty()) {
      if (!EFFORTS.contains(effort)) {
        throw new ApiException(
            400,
            "invalid reasoning value: '"
                + effort
                + "' (must be \"high\", \"medium\", \"low\", or \"none\")");
      }
      if ("none".equals(effort)) {
        out.put("think", false);
      } else {
        out.put("think", effort);
      }
    }
    out.put("logprobs", logprobs);
    out.put("top_logprobs", topLogprobs == null ? 0 : topLogprobs.asInt());
    Options answer = new Options(id("chatcmpl-"), stream, includeUsage, model, "");
    return new Translated(HttpIo.bytes(mapper, out), answer);
  }

  /** {@code POST /v1/completions} as a native {@code /api/generate} request. */
  static Translated completion(ObjectMapper mapper, byte[] body) {
    Fields req = Fields.parse(mapper, body, "CompletionRequest");
    String model = req.string("model");
    String prompt = req.string("prompt");
    JsonNode frequencyPenalty = req.number("frequency_penalty", "float32");
    JsonNode maxTokens = req.integer("max_tokens", "int");
    JsonNode presencePenalty = req.number("presence_penalty", "float32");
    JsonNode seed = req.integer("seed", "int");
    JsonNode stop = req.node("stop");
    boolean stream = req.bool("stream");
    boolean includeUsage = includeUsage(req);
    JsonNode temperature = req.number("temperature", "float32");
    JsonNode topP = req.number("top_p", "float32");
    String suffix = req.string("suffix");
    JsonNode logprobs = req.integer("logprobs", "int");

    ObjectNode out = mapper.createObjectNode().put("model", model).put("prompt", prompt);
    ObjectNode options = out.putObject("options");
    if (stop != null && stop.isTextual()) {
      options.putArray("stop").add(stop.asText());
    } else if (stop != null && stop.isArray()) {
      ArrayNode stops = options.putArray("stop");
      for (JsonNode s : stop) {
        if (!s.isTextual()) {
          throw new ApiException(400, "invalid type for 'stop' field: " + goValueType(s));
        }
        stops.add(s.asText());
      }
    }
    putIfPresent(options, "num_predict", maxTokens);
    options.set("temperature", temperature != null ? temperature : mapper.valueToTree(1.0));
    putIfPresent(options, "seed", seed);
    // float32 fields without a pointer: always sent, 0 when absent
    options.set(
        "frequency_penalty", frequencyPenalty != null ? frequencyPenalty : mapper.valueToTree(0));
    options.set(
        "presence_penalty", presencePenalty != null ? presencePenalty : mapper.valueToTree(0));
    boolean topPSet = topP != null && topP.asDouble() != 0;
    options.set("top_p", topPSet ? topP : mapper.valueToTree(1.0));
    out.put("stream", stream).put("suffix", suffix);
    boolean wantsLogprobs = logprobs != null && logprobs.asInt() > 0;
    out.put("logprobs", wantsLogprobs).put("top_logprobs", wantsLogprobs ? logprobs.asInt() : 0);
    Options answer = new Options(id("cmpl-"), stream, includeUsage, model, "");
    return new Translated(HttpIo.bytes(mapper, out), answer);
  }

  /** {@code POST /v1/embeddings} as a native {@code /api/embed} request. */
  static Translated embeddings(ObjectMapper mapper, byte[] body) {
    Fields req = Fields.parse(mapper, body, "EmbedRequest");
    JsonNode input = req.node("input");
    String model = req.string("model");
    JsonNode dimensions = req.integer("dimensions", "int");
    String encodingFormat = req.string("encoding_format");

    if (!encodingFormat.isEmpty()
        && !encodingFormat.equalsIgnoreCase("float")
        && !encodingFormat.equalsIgnoreCase("base64")) {
      throw new ApiException(
          400,
          "Invalid value for 'encoding_format' = "
              + encodingFormat
              + ". Supported values: ['float', 'base64'].");
    }
    if (input != null && input.isTextual() && input.asText().isEmpty()) {
      input = mapper.createArrayNode().add("");
    }
    if (input == null || input.isNull() || (input.isArray() && input.isEmpty())) {
      throw new ApiException(400, "invalid input");
    }
    ObjectNode out = mapper.createObjectNode().put("model", model);
    out.set("input", input);
    if (dimensions != null && dimensions.asInt() != 0) {
      out.put("dimensions", dimensions.asInt());
    }
    Options answer = new Options("", false, false, model, encodingFormat);
    return new Translated(HttpIo.bytes(mapper, out), answer);
  }

  /** {@code GET /v1/models/:model} as a native {@code /api/show} request. */
  static Translated retrieve(ObjectMapper mapper, String model) {
    ObjectNode out = mapper.createObjectNode().put("name", model);
    return new Translated(HttpIo.bytes(mapper, out), new Options("", false, false, model, ""));
  }

  private static boolean includeUsage(Fields req) {
    ObjectNode streamOptions = req.object("stream_options", "openai.StreamOptions");
    if (streamOptions == null) {
      return false;
    }
    JsonNode include = streamOptions.get("include_usage");
    if (include != null && !include.isNull() && !include.isBoolean()) {
      throw new ApiException(
          400,
          "json: cannot unmarshal "
              + RequestBody.goType(include)
              + " into Go struct field StreamOptions.stream_options.include_usage of type bool");
    }
    return include != null && include.asBoolean();
  }

  /** One OpenAI message as one or more native messages, as {@code FromChatRequest} splits them. */
  private static void addMessages(
      ObjectMapper mapper, ArrayNode out, JsonNode message, ArrayNode all) {
    if (!message.isObject()) {
      throw new ApiException(
          400,
          "json: cannot unmarshal "
              + RequestBody.goType(message)
              + " into Go struct field ChatCompletionRequest.messages of type openai.Message");
    }
    String role = messageString(message, "role");
    String reasoning = messageString(message, "reasoning");
    String name = messageString(message, "name");
    String toolCallId = messageString(message, "tool_call_id");
    JsonNode toolCallsNode = message.get("tool_calls");
    boolean hasToolCalls = toolCallsNode != null && !toolCallsNode.isNull();
    if (hasToolCalls && !toolCallsNode.isArray()) {
      throw messageMismatch("tool_calls", toolCallsNode, "[]openai.ToolCall");
    }
    String toolName = "";
    if ("tool".equals(role.toLowerCase(Locale.ROOT))) {
      toolName = name.isEmpty() && !toolCallId.isEmpty() ? toolNameOf(all, toolCallId) : name;
    }
    JsonNode content = message.get("content");
    if (content != null && content.isTextual()) {
      ObjectNode m = out.addObject().put("role", role).put("content", content.asText());
      putText(m, "thinking", reasoning);
      if (hasToolCalls) {
        m.set("tool_calls", nativeToolCalls(mapper, toolCallsNode));
      }
      putText(m, "tool_name", toolName);
      putText(m, "tool_call_id", toolCallId);
    } else if (content != null && content.isArray()) {
      ObjectNode last = null;
      for (JsonNode part : content) {
        last = out.addObject().put("role", role);
        String type = part.isObject() ? text(part.get("type")) : "";
        if ("text".equals(type) && part.path("text").isTextual()) {
          last.put("content", part.get("text").asText());
        } else if ("image_url".equals(type)) {
          last.putArray("images").add(image(part.get("image_url")));
        } else {
          throw new ApiException(400, "invalid message format");
        }
      }
      if (last != null && hasToolCalls) {
        last.set("tool_calls", nativeToolCalls(mapper, toolCallsNode));
        putText(last, "tool_name", toolName);
        putText(last, "tool_call_id", toolCallId);
        putText(last, "thinking", reasoning);
      }
    } else {
      // content may be left out only when the message carries tool calls
      if (!hasToolCalls) {
        throw new ApiException(
            400,
            "invalid message content type: " + (content == null ? "<nil>" : goValueType(content)));
      }
      ObjectNode m = out.addObject().put("role", role);
      putText(m, "thinking", reasoning);
      m.set("tool_calls", nativeToolCalls(mapper, toolCallsNode));
      putText(m, "tool_call_id", toolCallId);
    }
  }

  /** OpenAI tool calls (arguments a JSON string) as native ones (arguments an object). */
  private static ArrayNode nativeToolCalls(ObjectMapper mapper, JsonNode calls) {
    ArrayNode out = mapper.createArrayNode();
    for (JsonNode call : calls) {
      ObjectNode entry = out.addObject();
      putText(entry, "id", text(call.get("id")));
      JsonNode function = call.path("function");
      ObjectNode nativeFunction =
          entry.putObject("function").put("name", text(function.get("name")));
      JsonNode arguments;
      try {
        arguments = mapper.readTree(text(function.get("arguments")));
      } catch (JsonProcessingException e) {
        throw new ApiException(400, "invalid tool call arguments");
      }
      if (arguments == null || !(arguments.isObject() || arguments.isNull())) {
        throw new ApiException(400, "invalid tool call arguments");
      }
      nativeFunction.set("arguments", arguments);
    }
    return out;
  }

  private static String toolNameOf(ArrayNode messages, String toolCallId) {
    // last one wins, as Ollama's nameFromToolCallID
    for (int i = messages.size() - 1; i >= 0; i--) {
      for (JsonNode call : messages.get(i).path("tool_calls")) {
        if (toolCallId.equals(text(call.get("id")))) {
          return text(call.path("function").get("name"));
        }
      }
    }
    return "";
  }

  /** The base64 data of an {@code image_url} part (a data URI; no remote URLs). */
  private static String image(JsonNode imageUrl) {
    JsonNode url = imageUrl != null && imageUrl.isObject() ? imageUrl.get("url") : imageUrl;
    if (url == null || !url.isTextual()) {
      throw new ApiException(400, "invalid message format");
    }
    String data = null;
    if (url.asText().startsWith("data:;base64,")) {
      data = url.asText().substring("data:;base64,".length());
    }
    for (String prefix : IMAGE_PREFIXES) {
      if (data == null && url.asText().startsWith(prefix)) {
        data = url.asText().substring(prefix.length());
      }
    }
    if (data == null) {
      throw new ApiException(400, "invalid image input");
    }
    try {
      Base64.getDecoder().decode(data);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "invalid image input");
    }
    return data;
  }

  /** {@code response_format} as the native {@code format}, or null. */
  private static JsonNode responseFormat(ObjectNode responseFormat) {
    if (responseFormat == null) {
      return null;
    }
    String type = text(responseFormat.get("type")).strip().toLowerCase(Locale.ROOT);
    if ("json_object".equals(type)) {
      return TextNode.valueOf("json");
    }
    if ("json_schema".equals(type)) {
      JsonNode schema = responseFormat.path("json_schema").get("schema");
      return schema == null || schema.isNull() ? null : schema;
    }
    return null;
  }

  private static String messageString(JsonNode message, String field) {
    JsonNode node = message.get(field);
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw messageMismatch(field, node, "string");
    }
    return node.asText();
  }

  /** Go names the innermost struct and the whole field path, e.g. {@code Message.messages.role}. */
  private static ApiException messageMismatch(String field, JsonNode node, String goType) {
    return new ApiException(
        400,
        "json: cannot unmarshal "
            + RequestBody.goType(node)
            + " into Go struct field Message.messages."
            + field
            + " of type "
            + goType);
  }

  /** Go's {@code %T} of a decoded JSON value. */
  private static String goValueType(JsonNode node) {
    if (node.isNumber()) {
      return "float64";
    }
    if (node.isTextual()) {
      return "string";
    }
    if (node.isBoolean()) {
      return "bool";
    }
    if (node.isArray()) {
      return "[]interface {}";
    }
    return node.isObject() ? "map[string]interface {}" : "<nil>";
  }

  private static String id(String prefix) {
    return prefix + ThreadLocalRandom.current().nextInt(999);
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? node.asText() : "";
  }

  private static void putText(ObjectNode node, String field, String value) {
    if (!value.isEmpty()) {
      node.put(field, value);
    }
  }

  private static void putIfPresent(ObjectNode node, String field, JsonNode value) {
    if (value != null) {
      node.set(field, value);
    }
  }

  private static void addIfText(ArrayNode out, JsonNode value) {
    if (value.isTextual()) {
      out.add(value.asText());
    }
  }

  /** A request body decoded as Go's {@code encoding/json} decodes it into an OpenAI struct. */
  private static final class Fields {
    private final ObjectNode root;
    private final String struct;

    private Fields(ObjectNode root, String struct) {
      this.root = root;
      this.struct = struct;
    }

    static Fields parse(ObjectMapper mapper, byte[] body, String struct) {
      String text = new String(body, StandardCharsets.UTF_8);
      if (text.isBlank()) {
        throw new ApiException(400, "EOF"); // gin's ShouldBindJSON on an empty body
      }
      JsonNode node;
      try {
        node = mapper.readTree(text);
      } catch (JsonEOFException e) {
        throw new ApiException(400, "unexpected EOF");
      } catch (JsonProcessingException e) {
        Matcher m = JACKSON_CHAR.matcher(String.valueOf(e.getOriginalMessage()));
        String character = m.find() ? m.group(1) : text.strip().substring(0, 1);
        throw new ApiException(
            400, "invalid character '" + character + "' looking for beginning of value");
      }
      if (!(node instanceof ObjectNode)) {
        throw new ApiException(
            400,
            "json: cannot unmarshal "
                + RequestBody.goType(node)
                + " into Go value of type openai."
                + struct);
      }
      return new Fields((ObjectNode) node, struct);
    }

    JsonNode node(String field) {
      JsonNode node = root.get(field);
      return node == null || node.isNull() ? null : node;
    }

    String string(String field) {
      JsonNode node = node(field);
      if (node == null) {
        return "";
      }
      if (!node.isTextual()) {
        throw mismatch(field, node, "string");
      }
      return node.asText();
    }

    boolean bool(String field) {
      JsonNode node = node(field);
      if (node == null) {
        return false;
      }
      if (!node.isBoolean()) {
        throw mismatch(field, node, "bool");
      }
      return node.asBoolean();
    }

    JsonNode integer(String field, String goType) {
      JsonNode node = node(field);
      if (node != null && (!node.isIntegralNumber() || !node.canConvertToInt())) {
        throw mismatch(field, node, goType);
      }
      return node;
    }

    JsonNode number(String field, String goType) {
      JsonNode node = node(field);
      if (node != null && !node.isNumber()) {
        throw mismatch(field, node, goType);
      }
      return node;
    }

    ArrayNode array(String field, String goType) {
      JsonNode node = node(field);
      if (node != null && !node.isArray()) {
        throw mismatch(field, node, goType);
      }
      return (ArrayNode) node;
    }

    ObjectNode object(String field, String goType) {
      JsonNode node = node(field);
      if (node != null && !node.isObject()) {
        throw mismatch(field, node, goType);
      }
      return (ObjectNode) node;
    }

    ApiException mismatch(String field, JsonNode node, String goType) {
      return new ApiException(
          400,
          "json: cannot unmarshal "
              + RequestBody.goType(node)
              + " into Go struct field "
              + struct
              + "."
              + field
              + " of type "
              + goType);
    }
  }
}
