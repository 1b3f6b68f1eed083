package io.tinyllm.proxy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The key under which the proxy's response cache keeps an answer: the SHA-256 of a canonical text
 * of the endpoint and the request body, and of the caller's {@code Authorization} header if any (so
 * an answer is never served to a caller with other credentials).
 *
 * <p>The body is read as JSON: fields sorted by name at every level, numbers without trailing zeros
 * ({@code 0}, {@code 0.0} and {@code 0e0} are one temperature), {@code model} tagged as Ollama
 * names it ({@code qwen2.5} is {@code qwen2.5:latest}), {@code stream} replaced by whether the call
 * streams (a native call without it streams), and {@code keep_alive} left out (it changes how long
 * the model stays loaded, not what it says). Everything else counts.
 *
 * <p>Only a deterministic call has a key: a native {@code options.temperature} of 0 or {@code
 * options.seed} of 0 or more, or the same at the top level of a {@code /v1} call (a seed of -1 is
 * Ollama's "random").
 */
final class AnswerKeys {
  static final String VERSION = "tinyllm-proxy-cache-key/1";

  /** The endpoints whose answers are cached: those that generate (embeddings pass through). */
  private static final Set<LlmEndpoint> CACHED =
      Set.of(
          LlmEndpoint.GENERATE,
          LlmEndpoint.CHAT,
          LlmEndpoint.OPENAI_CHAT,
          LlmEndpoint.OPENAI_COMPLETION);

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /** What the cache does with one call: look up {@code key}, or skip for {@code skipReason}. */
  record Decision(String key, String skipReason) {
    static Decision skip(String reason) {
      return new Decision(null, reason);
    }
  }

  private AnswerKeys() {}

  /**
   * The decision for a call to {@code endpoint} whose body starts with {@code peek}; null for a
   * call the cache does not consider at all (embeddings, a body that is not a JSON object).
   */
  static Decision of(LlmEndpoint endpoint, RequestPeek peek, String authorization) {
    if (!CACHED.contains(endpoint)) {
      return null;
    }
    if (!peek.whole()) {
      return Decision.skip("too_large"); // not read whole, so not known whole
    }
    JsonNode body;
    try {
      body = JSON.readTree(peek.head(), 0, peek.length());
    } catch (IOException e) {
      return null; // Ollama answers it with a 400, which is never cached
    }
    if (body == null || !body.isObject()) {
      return null;
    }
    JsonNode sampling = endpoint.isOpenAi() ? body : body.path("options");
    if (!deterministic(sampling)) {
      return Decision.skip("nondeterministic");
    }
    StringBuilder text = new StringBuilder(VERSION).append('\n');
    text.append(endpoint.name()).append('\n');
    text.append(authorization == null ? "-" : "auth " + sha256(authorization)).append('\n');
    text.append("stream=").append(endpoint.type(peek.stream()).isStreaming()).append('\n');
    TreeMap<String, JsonNode> fields = new TreeMap<>();
    body.properties().forEach(field -> fields.put(field.getKey(), field.getValue()));
    fields.remove("stream");
    fields.remove("keep_alive");
    for (Map.Entry<String, JsonNode> field : fields.entrySet()) {
      string(text, field.getKey());
      text.append(':');
      JsonNode value = field.getValue();
      if ("model".equals(field.getKey()) && value.isTextual()) {
        string(text, String.valueOf(ModelNames.tagged(value.textValue())));
      } else {
        canonical(text, value);
      }
      text.append('\n');
    }
    return new Decision(sha256(text.toString()), null);
  }

  private static boolean deterministic(JsonNode sampling) {
    JsonNode temperature = sampling.path("temperature");
    if (temperature.isNumber() && temperature.decimalValue().signum() == 0) {
      return true;
    }
    JsonNode seed = sampling.path("seed");
    return seed.isIntegralNumber() && seed.bigIntegerValue().signum() >= 0;
  }

  private static void canonical(StringBuilder out, JsonNode node) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      node.properties().forEach(field -> sorted.put(field.getKey(), field.getValue()));
      out.append('{');
      for (Map.Entry<String, JsonNode> field : sorted.entrySet()) {
        string(out, field.getKey());
        out.append(':');
        canonical(out, field.getValue());
        out.append(',');
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      for (Iterator<JsonNode> items = node.elements(); items.hasNext(); ) {
        canonical(out, items.next());
        out.append(',');
      }
      out.append(']');
    } else if (node.isNumber()) {
      // toString, not toPlainString: 1e999999999 stays 12 characters
      out.append(node.decimalValue().stripTrailingZeros().toString());
    } else if (node.isTextual()) {
      string(out, node.textValue());
    } else {
      out.append(node.toString()); // true, false, null
    }
  }

  /** A string with its length first, so no two different values run together. */
  private static void string(StringBuilder out, String text) {
    out.append('"').append(text.length()).append(':').append(text).append('"');
  }

  private static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
