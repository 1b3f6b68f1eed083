package io.tinyllm.ollama;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tinyllm.api.error.MalformedResponseException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small whole answers (tags, ps, show, embed, version, pull progress) read into maps, lists,
 * strings, numbers and booleans with jackson-core alone, and small request bodies written the same
 * way. Databind's {@code ObjectMapper} loads several hundred classes when first built, which a
 * one-shot command such as {@code tinyllm list} would pay at start-up for an answer of a few
 * hundred bytes. Numbers come out as databind would give them: {@code Integer}, {@code Long} or
 * {@code BigInteger}, and {@code Double}; nesting is bounded by Jackson's read constraints.
 *
 * <pre>{@code
 * Map<String, Object> tags = JsonValues.object(body, "response");
 * for (Object model : JsonValues.list(tags, "models")) { ... }
 * }</pre>
 */
final class JsonValues {
  private static final JsonFactory JSON = new JsonFactory();

  private JsonValues() {}

  /**
   * The JSON object {@code text}; the message of a failure names {@code what} was being read.
   *
   * @throws MalformedResponseException if it is not a JSON object
   */
  static Map<String, Object> object(String text, String what) {
    try (JsonParser parser = JSON.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new MalformedResponseException("Ollama sent an empty " + what);
      }
      if (first != JsonToken.START_OBJECT) {
        throw new MalformedResponseException(
            "Ollama sent a " + what + " that is not a JSON object: " + OllamaJson.abbreviate(text));
      }
      return members(parser);
    } catch (IOException e) {
      throw new MalformedResponseException(
          "Ollama sent a " + what + " that is not valid JSON: " + OllamaJson.abbreviate(text), e);
    }
  }

  private static Map<String, Object> members(JsonParser parser) throws IOException {
    Map<String, Object> object = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      parser.nextToken();
      object.put(name, value(parser));
    }
    return object;
  }

  private static Object value(JsonParser parser) throws IOException {
    return switch (parser.currentToken()) {
      case START_OBJECT -> members(parser);
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          list.add(value(parser));
        }
        yield list;
      }
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      default -> null;
    };
  }

  /** The JSON text of a value read here. */
  static String json(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = JSON.createGenerator(out)) {
      write(generator, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does no I/O
    }
    return out.toString();
  }

  private static void write(JsonGenerator generator, Object value) throws IOException {
    if (value instanceof Map<?, ?> map) {
      generator.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        generator.writeFieldName(String.valueOf(entry.getKey()));
        write(generator, entry.getValue());
      }
      generator.writeEndObject();
    } else if (value instanceof List<?> list) {
      generator.writeStartArray();
      for (Object element : list) {
        write(generator, element);
      }
      generator.writeEndArray();
    } else if (value instanceof String text) {
      generator.writeString(text);
    } else if (value instanceof Number number) {
      generator.writeNumber(number.toString());
    } else if (value instanceof Boolean bool) {
      generator.writeBoolean(bool);
    } else {
      generator.writeNull();
    }
  }

  /**
   * A field as text, as databind's {@code asText()} gives it: a string itself, a number or boolean
   * written out, an object or array {@code ""}; {@code fallback} when missing or null.
   */
  static String text(Map<String, Object> object, String field, String fallback) {
    Object value = object.get(field);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Map || value instanceof List) {
      return "";
    }
    return value.toString();
  }

  /** A field as a whole number ({@code fallback} when missing or not one), as {@code asLong}. */
  static long number(Map<String, Object> object, String field, long fallback) {
    Object value = object.get(field);
    if (value instanceof Number number) {
      return number.longValue();
    }
    if (value instanceof String text) {
      try {
        return Long.parseLong(text.strip());
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }

  /** Whether {@code value} is a whole number that fits a {@code long}. */
  static boolean isLong(Object value) {
    return value instanceof Integer
        || value instanceof Long
        || value instanceof BigInteger big && big.bitLength() < 64;
  }

  /** A field that is an object, or {@code null}. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Map<String, Object> object, String field) {
    return object.get(field) instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
  }

  /** A field that is an array, or an empty list. */
  @SuppressWarnings("unchecked")
  static List<Object> list(Map<String, Object> object, String field) {
    return object.get(field) instanceof List<?> list ? (List<Object>) list : List.of();
  }

  /** Writes a small request body: {@code fields} in order, strings and booleans, nulls left out. */
  static String body(Object... fields) {
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i + 1] != null) {
        object.put((String) fields[i], fields[i + 1]);
      }
    }
    return json(object);
  }
}
