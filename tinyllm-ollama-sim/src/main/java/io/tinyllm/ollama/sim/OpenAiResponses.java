package io.tinyllm.ollama.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The response half of Ollama's OpenAI compatibility layer: a native answer object as the OpenAI
 * object Ollama v0.13.5 writes for it ({@code openai/openai.go} {@code ToChatCompletion}, {@code
 * ToChunk}, {@code ToCompletion}, {@code ToCompleteChunk}, {@code ToListCompletion}, {@code
 * ToModel}, {@code ToEmbeddingList}, {@code NewError}), field for field and in Go's field order.
 */
final class OpenAiResponses {
  /** Go's {@code time.Time{}.Unix()}: what a missing timestamp becomes. */
  private static final long ZERO_TIME = -62135596800L;

  private OpenAiResponses() {}

  /** {@code {"error": {"message", "type", "param": null, "code": null}}}, typed by status. */
  static ObjectNode error(ObjectMapper mapper, int status, String message) {
    String type =
        switch (status) {
          case 400 -> "invalid_request_error";
          case 404 -> "not_found_error";
          default -> "api_error";
        };
    ObjectNode root = mapper.createObjectNode();
    root.putObject("error")
        .put("message", message)
        .put("type", type)
        .putNull("param")
        .putNull("code");
    return root;
  }

  /** A whole native chat answer as a {@code chat.completion}. */
  static ObjectNode chatCompletion(ObjectMapper mapper, String id, JsonNode chat) {
    ObjectNode out = head(mapper, id, "chat.completion", seconds(chat.get("created_at")), chat);
    ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
    ArrayNode toolCalls = toolCalls(mapper, chat.path("message").get("tool_calls"));
    JsonNode message = chat.path("message");
    choice.set("message", message(mapper, text(message.get("role")), message, toolCalls));
    String reason = text(chat.get("done_reason"));
    if (!toolCalls.isEmpty()) {
      reason = "tool_calls";
    }
    putReason(choice, reason);
    putLogprobs(mapper, choice, chat.get("logprobs"));
    out.set("usage", usage(mapper, chat));
    return out;
  }

  /**
   * One streamed native chat line as a {@code chat.completion.chunk}; {@code toolCallSent} tells
   * whether an earlier chunk carried tool calls (then the finish reason is {@code tool_calls}).
   */
  static ObjectNode chatChunk(ObjectMapper mapper, String id, JsonNode chat, boolean toolCallSent) {
    ObjectNode out =
        head(mapper, id, "chat.completion.chunk", Instant.now().getEpochSecond(), chat);
    ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
    ArrayNode toolCalls = toolCalls(mapper, chat.path("message").get("tool_calls"));
    // a delta always says assistant, even on the empty chunk an error line becomes
    choice.set("delta", message(mapper, "assistant", chat.path("message"), toolCalls));
    String reason = text(chat.get("done_reason"));
    if (!reason.isEmpty() && (toolCallSent || !toolCalls.isEmpty())) {
      reason = "tool_calls";
    }
    putReason(choice, reason);
    putLogprobs(mapper, choice, chat.get("logprobs"));
    return out;
  }

  /** A whole native generate answer as a {@code text_completion}. */
  static ObjectNode completion(ObjectMapper mapper, String id, JsonNode generate) {
    ObjectNode out =
        head(mapper, id, "text_completion", seconds(generate.get("created_at")), generate);
    ObjectNode choice =
        out.putArray("choices")
            .addObject()
            .put("text", text(generate.get("response")))
            .put("index", 0);
    putReason(choice, text(generate.get("done_reason")));
    out.set("usage", usage(mapper, generate));
    return out;
  }

  /**
   * One streamed native generate line as a {@code text_completion} chunk (choices before model).
   */
  static ObjectNode completionChunk(ObjectMapper mapper, String id, JsonNode generate) {
    ObjectNode out =
        mapper
            .createObjectNode()
            .put("id", id)
            .put("object", "text_completion")
            .put("created", Instant.now().getEpochSecond());
    ObjectNode choice =
        out.putArray("choices")
            .addObject()
            .put("text", text(generate.get("response")))
            .put("index", 0);
    putReason(choice, text(generate.get("done_reason")));
    out.put("model", text(generate.get("model"))).put("system_fingerprint", "fp_ollama");
    return out;
  }

  /** {@code {"prompt_tokens", "completion_tokens", "total_tokens"}} of a final native line. */
  static ObjectNode usage(ObjectMapper mapper, JsonNode nativeAnswer) {
    int prompt = nativeAnswer.path("prompt_eval_count").asInt();
    int completion = nativeAnswer.path("eval_count").asInt();
    return mapper
        .createObjectNode()
        .put("prompt_tokens", prompt)
        .put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
  }

  /** A usage of zeros, which v0.13.5 puts on every completion chunk when usage is asked for. */
  static ObjectNode zeroUsage(ObjectMapper mapper) {
    return usage(mapper, mapper.createObjectNode());
  }

  /** The native {@code /api/tags} answer as {@code {"object": "list", "data": [...]}}. */
  static ObjectNode modelList(ObjectMapper mapper, JsonNode tags) {
    ObjectNode out = mapper.createObjectNode().put("object", "list");
    JsonNode models = tags.get("models");
    if (models == null || !models.isArray() || models.isEmpty()) {
      out.putNull("data"); // Go's nil slice
      return out;
    }
    ArrayNode data = out.putArray("data");
    for (JsonNode model : models) {
      String name = text(model.get("name"));
      data.add(model(mapper, name, seconds(model.get("modified_at"))));
    }
    return out;
  }

  /** The native {@code /api/show} answer for {@code name} as one OpenAI model object. */
  static ObjectNode retrieved(ObjectMapper mapper, String name, JsonNode show) {
    return model(mapper, name, seconds(show.get("modified_at")));
  }

  /**
   * The native {@code /api/embed} answer as an embedding list; {@code encodingFormat} {@code
   * base64} gives each vector as the base64 of its little-endian float32 bytes.
   */
  static ObjectNode embeddingList(
      ObjectMapper mapper, String model, JsonNode embed, String encodingFormat) {
    JsonNode embeddings = embed.get("embeddings");
    ObjectNode out = mapper.createObjectNode();
    if (embeddings == null || !embeddings.isArray()) {
      // Ollama answers an empty EmbeddingList when the runner gave no embeddings
      out.put("object", "").putNull("data").put("model", "");
      out.putObject("usage").put("prompt_tokens", 0).put("total_tokens", 0);
      return out;
    }
    out.put("object", "list");
    if (embeddings.isEmpty()) {
      out.putNull("data");
    } else {
      ArrayNode data = out.putArray("data");
      int index = 0;
      for (JsonNode vector : embeddings) {
        ObjectNode entry = data.addObject().put("object", "embedding");
        if ("base64".equalsIgnoreCase(encodingFormat)) {
          entry.put("embedding", base64(vector));
        } else {
          ArrayNode values = entry.putArray("embedding");
          vector.forEach(v -> values.add(v.floatValue()));
        }
        entry.put("index", index++);
      }
    }
    int tokens = embed.path("prompt_eval_count").asInt();
    out.put("model", model);
    out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    return out;
  }

  private static ObjectNode head(
      ObjectMapper mapper, String id, String object, long created, JsonNode nativeAnswer) {
    return mapper
        .createObjectNode()
        .put("id", id)
        .put("object", object)
        .put("created", created)
        .put("model", text(nativeAnswer.get("model")))
        .put("system_fingerprint", "fp_ollama");
  }

  private static ObjectNode model(ObjectMapper mapper, String name, long created) {
    return mapper
        .createObjectNode()
        .put("id", name)
        .put("object", "model")
        .put("created", created)
        .put("owned_by", namespace(name));
  }

  /** An OpenAI message: role and content always, reasoning and tool calls when there are any. */
  private static ObjectNode message(
      ObjectMapper mapper, String role, JsonNode message, ArrayNode toolCalls) {
    ObjectNode out =
        mapper.createObjectNode().put("role", role).put("content", text(message.get("content")));
    String thinking = text(message.get("thinking"));
    if (!thinking.isEmpty()) {
      out.put("reasoning", thinking);
    }
    if (!toolCalls.isEmpty()) {
      out.set("tool_calls", toolCalls);
    }
    return out;
  }

  /** Native tool calls as OpenAI's: arguments become a JSON string, with Go's map key order. */
  private static ArrayNode toolCalls(ObjectMapper mapper, JsonNode calls) {
    ArrayNode out = mapper.createArrayNode();
    if (calls == null || !calls.isArray()) {
      return out;
    }
    for (JsonNode call : calls) {
      JsonNode function = call.path("function");
      ObjectNode entry =
          out.addObject()
              .put("id", text(call.get("id")))
              .put("index", function.path("index").asInt())
              .put("type", "function");
      JsonNode arguments = function.get("arguments");
      String json =
          arguments == null || arguments.isNull()
              ? "null"
              : goJson(
                  new String(
                      HttpIo.bytes(mapper, sorted(mapper, arguments)), StandardCharsets.UTF_8));
      entry.putObject("function").put("name", text(function.get("name"))).put("arguments", json);
    }
    return out;
  }

  /** A copy of {@code node} with every object's keys sorted, as Go marshals a map. */
  private static JsonNode sorted(ObjectMapper mapper, JsonNode node) {
    if (node.isObject()) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
      fields.sort(Map.Entry.comparingByKey());
      ObjectNode out = mapper.createObjectNode();
      fields.forEach(e -> out.set(e.getKey(), sorted(mapper, e.getValue())));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = mapper.createArrayNode();
      node.forEach(item -> out.add(sorted(mapper, item)));
      return out;
    }
    return node;
  }

  /** Go's {@code json.Marshal} escapes HTML characters and line separators in strings. */
  private static String goJson(String json) {
    return json.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029");
  }

  private static void putReason(ObjectNode choice, String reason) {
    if (reason.isEmpty()) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", reason);
    }
  }

  private static void putLogprobs(ObjectMapper mapper, ObjectNode choice, JsonNode logprobs) {
    if (logprobs != null && logprobs.isArray() && !logprobs.isEmpty()) {
      choice.putObject("logprobs").set("content", logprobs);
    }
  }

  /** The namespace of a model name ({@code library} for a plain name), as Ollama's owned_by. */
  static String namespace(String name) {
    String base = name;
    int slash = base.lastIndexOf('/');
    int colon = base.lastIndexOf(':');
    if (colon > slash) {
      base = base.substring(0, colon);
    }
    String[] parts = base.split("/", -1);
    return parts.length == 1 ? "library" : parts[parts.length - 2];
  }

  private static long seconds(JsonNode timestamp) {
    if (timestamp == null || !timestamp.isTextual()) {
      return ZERO_TIME;
    }
    try {
      return Instant.parse(timestamp.asText()).getEpochSecond();
    } catch (DateTimeParseException e) {
      return ZERO_TIME;
    }
  }

  private static String base64(JsonNode vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
    vector.forEach(v -> bytes.putFloat(v.floatValue()));
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? node.asText() : "";
  }
}
