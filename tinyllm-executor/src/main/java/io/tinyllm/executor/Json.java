package io.tinyllm.executor;

import io.tinyllm.api.error.GraphException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Minimal JSON reading (through SnakeYAML's composer, JSON being YAML) and writing. */
final class Json {
  static final int MAX_CHARS = 100_000;

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

  static Object parse(String text) {
    try {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(0);
      Node node = new Yaml(options).compose(new StringReader(text));
      return node == null ? null : YamlValues.value(node);
    } catch (YAMLException e) {
      throw new GraphException("Text is not valid JSON: " + e.getMessage());
    }
  }

  static String write(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Number || value instanceof Boolean) {
      return io.tinyllm.executor.expression.Values.text(value);
    }
    if (value instanceof Map<?, ?> map) {
      StringBuilder out = new StringBuilder("{");
      map.forEach(
          (k, v) ->
              out.append(out.length() > 1 ? "," : "")
                  .append(quote(String.valueOf(k)))
                  .append(':')
                  .append(write(v)));
      return out.append('}').toString();
    }
    if (value instanceof List<?> list) {
      StringBuilder out = new StringBuilder("[");
      list.forEach(v -> out.append(out.length() > 1 ? "," : "").append(write(v)));
      return out.append(']').toString();
    }
    return quote(String.valueOf(value));
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
