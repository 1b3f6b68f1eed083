package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds a JSON value that satisfies a JSON schema, for {@code "format": {schema}} requests. It
 * covers what structured-output schemas use: {@code type} (object, array, string, integer, number,
 * boolean, null), {@code properties}, {@code items}, {@code enum}, {@code const}, {@code anyOf} /
 * {@code oneOf} (first branch), {@code minimum} / {@code maximum}, {@code minItems} / {@code
 * maxItems} and a few string {@code format}s. Nesting deeper than {@value #MAX_DEPTH} yields null.
 */
final class SchemaValues {
  static final int MAX_DEPTH = 8;

  /** Most items generated for an array. */
  static final int MAX_ITEMS = 16;

  private static final List<String> WORDS =
      List.of(
          "alpha", "bravo", "cedar", "delta", "ember", "falcon", "garnet", "harbor", "indigo",
          "juniper", "kestrel", "lumen", "meadow", "nimbus", "orchid", "pebble");

  private final JsonNodeFactory nodes = JsonNodeFactory.instance;
  private final SplittableRandom random;

  SchemaValues(SplittableRandom random) {
    this.random = requireNonNull(random, "random is null");
  }

  /** A value valid against {@code schema}. */
  JsonNode valueFor(JsonNode schema) {
    return value(schema, 0);
  }

  private JsonNode value(JsonNode schema, int depth) {
    if (depth > MAX_DEPTH || schema == null || !schema.isObject()) {
      return depth > MAX_DEPTH ? nodes.nullNode() : nodes.textNode(word());
    }
    if (schema.has("const")) {
      return schema.get("const");
    }
    JsonNode choices = schema.get("enum");
    if (choices != null && choices.isArray() && !choices.isEmpty()) {
      return choices.get(random.nextInt(choices.size()));
    }
    for (String combinator : List.of("anyOf", "oneOf", "allOf")) {
      JsonNode branches = schema.get(combinator);
      if (branches != null && branches.isArray() && !branches.isEmpty()) {
        return value(branches.get(0), depth + 1);
      }
    }
    String type = type(schema);
    return switch (type) {
      case "object" -> object(schema, depth);
      case "array" -> array(schema, depth);
      case "integer" -> nodes.numberNode(integer(schema));
      case "number" -> nodes.numberNode(number(schema));
      case "boolean" -> nodes.booleanNode(random.nextBoolean());
      case "null" -> nodes.nullNode();
      default -> nodes.textNode(string(schema));
    };
  }

  private static String type(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual()) {
      return type.asText();
    }
    if (type != null && type.isArray()) {
      for (JsonNode t : type) {
        if (t.isTextual() && !"null".equals(t.asText())) {
          return t.asText();
        }
      }
      return "null";
    }
    if (schema.has("properties")) {
      return "object";
    }
    return schema.has("items") ? "array" : "string";
  }

  private ObjectNode object(JsonNode schema, int depth) {
    ObjectNode object = nodes.objectNode();
    JsonNode properties = schema.get("properties");
    if (properties != null && properties.isObject()) {
      for (Map.Entry<String, JsonNode> field : properties.properties()) {
        object.set(field.getKey(), value(field.getValue(), depth + 1));
      }
    }
    return object;
  }

  private ArrayNode array(JsonNode schema, int depth) {
    int min = Math.max(0, schema.path("minItems").asInt(1));
    int max = Math.max(min, schema.path("maxItems").asInt(min + 2));
    // bounded whatever the schema asks: a structured answer never needs more items than this
    int count = Math.min(min + random.nextInt(Math.min(max - min, MAX_ITEMS) + 1), MAX_ITEMS);
    ArrayNode array = nodes.arrayNode();
    for (int i = 0; i < count; i++) {
      array.add(value(schema.get("items"), depth + 1));
    }
    return array;
  }

  private long integer(JsonNode schema) {
    long min = schema.path("minimum").asLong(0);
    long max = schema.path("maximum").asLong(Math.max(min, 0) + 100);
    long span = max - min + 1;
    if (max <= min || span <= 0) {
      return min; // empty range, or one too wide to draw from (overflow)
    }
    return min + random.nextLong(span);
  }

  private double number(JsonNode schema) {
    double min = schema.path("minimum").asDouble(0);
    double max = schema.path("maximum").asDouble(Math.max(min, 0) + 100);
    double value = max <= min ? min : min + random.nextDouble() * (max - min);
    return Math.round(value * 100) / 100.0;
  }

  private String string(JsonNode schema) {
    String format = schema.path("format").asText("");
    String text =
        switch (format) {
          case "date-time" -> "2024-05-01T12:00:00Z";
          case "date" -> "2024-05-01";
          case "time" -> "12:00:00";
          case "email" -> word() + "@example.com";
          case "uri" -> "https://example.com/" + word();
          case "uuid" -> "123e4567-e89b-12d3-a456-426614174000";
          default -> word();
        };
    int minLength = schema.path("minLength").asInt(0);
    int maxLength = schema.path("maxLength").asInt(Integer.MAX_VALUE);
    StringBuilder padded = new StringBuilder(text);
    while (padded.length() < Math.min(minLength, 4096)) {
      padded.append('x');
    }
    return padded.length() > maxLength ? padded.substring(0, maxLength) : padded.toString();
  }

  private String word() {
    return WORDS.get(random.nextInt(WORDS.size()));
  }
}
