package io.tinyllm.ollama.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed JSON request body with typed field access that fails the way Ollama's Go decoder does:
 * an empty body is "missing request body", a syntax error reads like Go's, and a field of the wrong
 * type is "json: cannot unmarshal ... into Go struct field ...", all with status 400. Field names
 * match case-insensitively, as Go's {@code encoding/json} matches struct fields ({@code "Model"}
 * sets {@code model}; of several matching keys the last one wins).
 */
final class RequestBody {
  private static final Pattern JACKSON_CHAR = Pattern.compile("Unexpected character \\('(.)'");

  private final ObjectNode root;
  private final String struct;

  private RequestBody(ObjectNode root, String struct) {
    this.root = root;
    this.struct = struct;
  }

  /**
   * Parses {@code body} as the Go struct {@code struct} (e.g. {@code GenerateRequest}, used in
   * error texts).
   */
  static RequestBody parse(ObjectMapper mapper, byte[] body, String struct) {
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      throw new ApiException(400, "missing request body");
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
          400, "json: cannot unmarshal " + goType(node) + " into Go value of type api." + struct);
    }
    return new RequestBody((ObjectNode) node, struct);
  }

  /** The raw node of {@code field}, or null when absent. */
  JsonNode node(String field) {
    return field(root, field);
  }

  /**
   * The value of the struct field {@code name} in {@code object}: the last key equal to it ignoring
   * case, as Go's decoder assigns every matching key in turn. Keys of maps (such as {@code
   * options}) are not struct fields and must be looked up exactly.
   */
  static JsonNode field(ObjectNode object, String name) {
    JsonNode exact = object.get(name);
    JsonNode found = null;
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      if (entry.getKey().equalsIgnoreCase(name)) {
        found = entry.getValue();
      }
    }
    return found != null ? found : exact;
  }

  /** A string field; "" when absent or null. */
  String string(String field) {
    JsonNode node = node(field);
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw mismatch(field, node, "string");
    }
    return node.asText();
  }

  /** A boolean field; {@code absent} when absent or null. */
  boolean bool(String field, boolean absent) {
    JsonNode node = node(field);
    if (node == null || node.isNull()) {
      return absent;
    }
    if (!node.isBoolean()) {
      throw mismatch(field, node, "bool");
    }
    return node.asBoolean();
  }

  /** An integer field; {@code absent} when absent or null. */
  int integer(String field, int absent) {
    JsonNode node = node(field);
    if (node == null || node.isNull()) {
      return absent;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw mismatch(field, node, "int");
    }
    return node.asInt();
  }

  /** An array field; null when absent or null. */
  ArrayNode array(String field, String goType) {
    JsonNode node = node(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw mismatch(field, node, goType);
    }
    return (ArrayNode) node;
  }

  /** An object field; null when absent or null. */
  ObjectNode object(String field, String goType) {
    JsonNode node = node(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw mismatch(field, node, goType);
    }
    return (ObjectNode) node;
  }

  /** The error Go's decoder gives for {@code field} holding {@code node} instead of a goType. */
  ApiException mismatch(String field, JsonNode node, String goType) {
    return new ApiException(
        400,
        "json: cannot unmarshal "
            + goType(node)
            + " into Go struct field "
            + struct
            + "."
            + field
            + " of type "
            + goType);
  }

  /** The JSON kind of {@code node} as Go names it in unmarshal errors. */
  static String goType(JsonNode node) {
    if (node.isNumber()) {
      return "number";
    }
    if (node.isTextual()) {
      return "string";
    }
    if (node.isBoolean()) {
      return "bool";
    }
    if (node.isArray()) {
      return "array";
    }
    return node.isObject() ? "object" : "null";
  }
}
