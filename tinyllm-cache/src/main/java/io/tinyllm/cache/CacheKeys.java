package io.tinyllm.cache;

import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.ResponseFormat;
import io.tinyllm.api.llm.ToolCall;
import io.tinyllm.api.llm.ToolDefinition;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cache keys: the lower-case hex SHA-256 of a canonical text of everything that changes the answer
 * — kind (generate or chat), model, prompt and system or the messages (with their tool calls and
 * tool results), the options, the format, the thinking switch, the tools and the logprobs request.
 * {@code keepAlive} is left out: it changes how long the model stays loaded, not what it says.
 *
 * <p>Each value is written with its length, so no two requests share a canonical text; numbers are
 * written in plain decimal without trailing zeros, so {@code 1}, {@code 1.0} and {@code 1.00} are
 * the same option value; {@code extra} options are sorted by name.
 *
 * <pre>{@code
 * String key = CacheKeys.of(GenerateRequest.builder("qwen2.5:0.5b", "2+2?").build());
 * // 64 hex digits
 * }</pre>
 */
public final class CacheKeys {
  /**
   * Bumped when the canonical text changes, so old entries are never read with new meaning. Tool
   * and logprob fields are written only when set, so requests without them keep their keys.
   */
  static final String VERSION = "tinyllm-cache-key/1";

  private CacheKeys() {}

  public static String of(GenerateRequest request) {
    return sha256(canonical(request));
  }

  public static String of(ChatRequest request) {
    return sha256(canonical(request));
  }

  static String canonical(GenerateRequest request) {
    StringBuilder out = new StringBuilder(VERSION).append('\n');
    field(out, "kind", "generate");
    field(out, "model", request.model());
    field(out, "system", request.system());
    field(out, "prompt", request.prompt());
    common(out, request.options(), request.format(), request.think());
    logprobs(out, request.logprobs(), request.topLogprobs());
    return out.toString();
  }

  static String canonical(ChatRequest request) {
    StringBuilder out = new StringBuilder(VERSION).append('\n');
    field(out, "kind", "chat");
    field(out, "model", request.model());
    field(out, "messages", String.valueOf(request.messages().size()));
    for (ChatMessage message : request.messages()) {
      field(out, "role", message.role().wireName());
      field(out, "content", message.content());
      for (ToolCall call : message.toolCalls()) {
        field(out, "tool_call", call.name());
        field(out, "tool_call_id", call.id());
        field(out, "tool_call_arguments", call.argumentsJson());
      }
      if (message.toolName() != null) {
        field(out, "tool_name", message.toolName());
      }
      if (message.toolCallId() != null) {
        field(out, "tool_result_call_id", message.toolCallId());
      }
    }
    common(out, request.options(), request.format(), request.think());
    if (!request.tools().isEmpty()) {
      field(out, "tools", String.valueOf(request.tools().size()));
      for (ToolDefinition tool : request.tools()) {
        field(out, "tool", tool.name());
        field(out, "tool_description", tool.description());
        field(out, "tool_parameters", tool.parametersJson());
      }
    }
    logprobs(out, request.logprobs(), request.topLogprobs());
    return out.toString();
  }

  private static void logprobs(StringBuilder out, boolean logprobs, int topLogprobs) {
    if (logprobs) {
      field(out, "logprobs", String.valueOf(topLogprobs));
    }
  }

  private static void common(
      StringBuilder out, GenerationOptions options, ResponseFormat format, Boolean think) {
    field(out, "temperature", number(options.temperature()));
    field(out, "top_p", number(options.topP()));
    field(out, "top_k", number(options.topK()));
    field(out, "num_predict", number(options.numPredict()));
    field(out, "seed", number(options.seed()));
    field(out, "num_ctx", number(options.numCtx()));
    field(out, "stop", value(options.stop()));
    field(out, "extra", value(options.extra()));
    field(out, "format", format == null ? null : format.rawJson());
    field(out, "think", think == null ? null : think.toString());
  }

  /** {@code name=<length>:<value>} or {@code name=-} for a missing value. */
  private static void field(StringBuilder out, String name, String value) {
    out.append(name).append('=');
    if (value == null) {
      out.append('-');
    } else {
      out.append(value.length()).append(':').append(value);
    }
    out.append('\n');
  }

  private static String number(Number number) {
    if (number == null) {
      return null;
    }
    if (number instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return d.toString();
    }
    if (number instanceof Float f && (f.isNaN() || f.isInfinite())) {
      return f.toString();
    }
    BigDecimal decimal = new BigDecimal(number.toString()).stripTrailingZeros();
    return decimal.signum() == 0 ? "0" : decimal.toPlainString();
  }

  /** A typed, length-prefixed text of an option value: nested maps sorted, lists in order. */
  private static String value(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Number number) {
      return "n" + wrap(number(number));
    }
    if (value instanceof Boolean bool) {
      return "b" + wrap(bool.toString());
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
      StringBuilder out = new StringBuilder("m").append(sorted.size()).append('{');
      sorted.forEach((k, v) -> out.append(wrap(k)).append(value(v)));
      return out.append('}').toString();
    }
    if (value instanceof List<?> list) {
      StringBuilder out = new StringBuilder("l").append(list.size()).append('[');
      list.forEach(v -> out.append(value(v)));
      return out.append(']').toString();
    }
    return "s" + wrap(value.toString());
  }

  private static String wrap(String text) {
    return text.length() + ":" + text;
  }

  static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      // every Java platform must provide SHA-256
      throw new IllegalStateException(e);
    }
  }
}
