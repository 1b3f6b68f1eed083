package io.tinyllm.executor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.tinyllm.api.error.GraphException;
import io.tinyllm.executor.expression.Values;
import java.io.IOException;

/**
 * JSON reading and writing (Jackson) for payloads, {@code json_extract} and templates.
 *
 * <p>Reading gives maps, lists, strings, booleans, null and numbers: integers as {@code Integer},
 * {@code Long} or {@code BigInteger} by size (never text), decimals as {@code Double}. Writing
 * renders a whole double without {@code .0}, as expressions and templates print numbers.
 */
final class Json {
  static final int MAX_CHARS = 100_000;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          // "{} trailing" is not one JSON value
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .addModule(new SimpleModule().addSerializer(Double.class, new WholeDoubles()))
          .build();

  private Json() {}

  /** {@code text} as maps, lists and scalars when it is a JSON object or array, else null. */
  static Object parseOrNull(String text) {
    String t = text.strip();
    if (t.length() > MAX_CHARS || !(t.startsWith("{") || t.startsWith("["))) {
      return null;
    }
    try {
      return parse(t);
    } catch (GraphException e) {
      return null;
    }
  }

  /** {@code text} as maps, lists and scalars; throws {@link GraphException} when not JSON. */
  static Object parse(String text) {
    try {
      return MAPPER.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      throw new GraphException("Text is not valid JSON: " + e.getOriginalMessage());
    }
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new GraphException("Cannot write the value as JSON: " + e.getOriginalMessage());
    }
  }

  /** 42.0 as {@code 42}, as {@link Values#text} prints it; other doubles as Jackson does. */
  private static final class WholeDoubles extends StdSerializer<Double> {
    WholeDoubles() {
      super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator out, SerializerProvider provider)
        throws IOException {
      if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
        out.writeNumber(value.longValue());
      } else {
        out.writeNumber(value);
      }
    }
  }
}
