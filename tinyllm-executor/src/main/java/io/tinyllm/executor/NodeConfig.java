package io.tinyllm.executor;

import io.tinyllm.api.error.ConfigException;
import io.tinyllm.api.error.GraphException;
import io.tinyllm.executor.expression.Expression;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Typed reads of a node's {@code config}. While validating, problems go to a sink and a fallback is
 * returned so every problem gets reported; at run time (graphs are validated) they throw.
 */
final class NodeConfig {
  private final NodeDefinition node;
  private final Consumer<ValidationError> sink;
  private final Set<String> read = new HashSet<>();

  NodeConfig(NodeDefinition node) {
    this(node, null);
  }

  NodeConfig(NodeDefinition node, Consumer<ValidationError> sink) {
    this.node = node;
    this.sink = sink;
  }

  /** Every read goes here, so validation knows which keys a node type uses. */
  private Object get(String key) {
    read.add(key);
    return node.config().get(key);
  }

  /** The keys read so far. */
  Set<String> keysRead() {
    return read;
  }

  boolean has(String key) {
    return get(key) != null;
  }

  /** The value of {@code key} as YAML gave it, or null. */
  Object raw(String key) {
    return get(key);
  }

  String string(String key, String fallback) {
    Object value = get(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return String.valueOf(value);
    }
    return wrong(key, "a string", value, fallback);
  }

  String requiredString(String key) {
    String value = string(key, null);
    if (value == null || value.isBlank()) {
      return problem(key, "is required for a " + node.type().yamlName() + " node", "");
    }
    return value;
  }

  int integer(String key, int fallback, int min, int max) {
    Object value = get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      return wrong(key, "an integer", value, fallback);
    }
    long v = n.longValue();
    if (v < min || v > max) {
      return problem(key, "must be from " + min + " to " + max + " but is " + v, fallback);
    }
    return (int) v;
  }

  boolean bool(String key, boolean fallback) {
    Object value = get(key);
    if (value == null) {
      return fallback;
    }
    return value instanceof Boolean b ? b : wrong(key, "true or false", value, fallback);
  }

  Double number(String key) {
    Object value = get(key);
    if (value == null) {
      return null;
    }
    return value instanceof Number n ? n.doubleValue() : wrong(key, "a number", value, null);
  }

  Duration duration(String key, Duration fallback) {
    Object value = get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return YamlValues.duration(value);
    } catch (ConfigException e) {
      return wrong(key, "a duration such as 30s or 500ms", value, fallback);
    }
  }

  List<String> strings(String key) {
    Object value = get(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      return wrong(key, "a list of strings", value, List.of());
    }
    List<String> out = new ArrayList<>();
    for (Object item : list) {
      if (item instanceof Map<?, ?> map && map.get("name") != null) {
        out.add(String.valueOf(map.get("name")));
      } else if (item instanceof String || item instanceof Number) {
        out.add(String.valueOf(item));
      } else {
        return wrong(key, "a list of strings", value, List.of());
      }
    }
    return List.copyOf(out);
  }

  Map<?, ?> map(String key) {
    Object value = get(key);
    if (value == null) {
      return Map.of();
    }
    return value instanceof Map<?, ?> m ? m : wrong(key, "a mapping", value, Map.of());
  }

  Expression expression(String key, boolean required) {
    String source = required ? requiredString(key) : string(key, null);
    if (source == null || source.isBlank()) {
      return null;
    }
    try {
      return Expressions.compile(source);
    } catch (GraphException e) {
      return problem(key, e.getMessage(), null);
    }
  }

  <T> T oneOf(
      String key, List<String> allowed, T fallback, java.util.function.Function<String, T> f) {
    String value = string(key, null);
    if (value == null) {
      return fallback;
    }
    if (!allowed.contains(value)) {
      return problem(key, "must be one of " + allowed + " but is '" + value + "'", fallback);
    }
    return f.apply(value);
  }

  <T> T problem(String key, String message, T fallback) {
    ValidationError error =
        new ValidationError(node.at("config." + key), node.id(), "config." + key, message);
    if (sink == null) {
      throw new GraphException(error.toString());
    }
    sink.accept(error);
    return fallback;
  }

  private <T> T wrong(String key, String expected, Object value, T fallback) {
    return problem(
        key, "expected " + expected + " but found " + YamlValues.describe(value), fallback);
  }
}
