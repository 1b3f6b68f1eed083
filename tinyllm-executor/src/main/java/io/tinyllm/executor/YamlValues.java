package io.tinyllm.executor;

import io.tinyllm.api.config.Durations;
import io.tinyllm.api.error.ConfigException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Plain Java values from SnakeYAML nodes, so nothing but maps, lists and scalars is ever built. */
final class YamlValues {
  private YamlValues() {}

  static Object value(Node node) {
    if (node instanceof ScalarNode scalar) {
      return scalar(scalar);
    }
    if (node instanceof SequenceNode sequence) {
      List<Object> list = new ArrayList<>();
      sequence.getValue().forEach(item -> list.add(value(item)));
      return list;
    }
    if (node instanceof MappingNode mapping) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        Object key = value(tuple.getKeyNode());
        map.put(String.valueOf(key), value(tuple.getValueNode()));
      }
      return map;
    }
    return null;
  }

  private static Object scalar(ScalarNode scalar) {
    String text = scalar.getValue();
    Tag tag = scalar.getTag();
    try {
      if (Tag.NULL.equals(tag)) {
        return null;
      }
      if (Tag.BOOL.equals(tag)) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
          case "true", "yes", "on", "y" -> Boolean.TRUE;
          default -> Boolean.FALSE;
        };
      }
      if (Tag.INT.equals(tag)) {
        return Long.valueOf(text.replace("_", ""));
      }
      if (Tag.FLOAT.equals(tag)) {
        return Double.valueOf(text.replace("_", ""));
      }
    } catch (NumberFormatException e) {
      return text;
    }
    return text;
  }

  /**
   * A duration in the grammar of settings ({@link Durations}): a string such as {@code 1.5s} or
   * {@code 1h30m}, or a YAML number of seconds. Anything else is a {@link ConfigException}.
   */
  static Duration duration(Object value) {
    if (value instanceof Long || value instanceof Integer) {
      return Durations.parse(value.toString());
    }
    if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        throw new ConfigException("'" + d + "' is not a duration");
      }
      // 1.0E-4 is written 0.0001 here, as the grammar has no exponent
      return Durations.parse(BigDecimal.valueOf(d).toPlainString());
    }
    if (value instanceof String text) {
      return Durations.parse(text);
    }
    throw new ConfigException(describe(value) + " is not a duration");
  }

  static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof Map) {
      return "a mapping";
    }
    if (value instanceof List) {
      return "a list";
    }
    if (value instanceof Boolean) {
      return "the boolean " + value;
    }
    if (value instanceof Number) {
      return "the number " + value;
    }
    return "the string '" + value + "'";
  }

  static int line(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }
}
