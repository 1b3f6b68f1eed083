package io.tinyllm.executor;

import io.tinyllm.api.error.GraphException;
import io.tinyllm.executor.expression.BoundedMatcher;
import io.tinyllm.executor.expression.Values;
import java.util.Locale;
import java.util.Map;

/** The text and JSON operations of {@code transform} nodes. */
final class Transforms {
  private Transforms() {}

  static String apply(NodeDefinition node, Payload in, TextLimit limit) {
    NodeConfig c = node.settings();
    String text = in.text();
    return switch (c.string("op", "trim")) {
      case "uppercase" -> text.toUpperCase(Locale.ROOT);
      case "lowercase" -> text.toLowerCase(Locale.ROOT);
      case "trim" -> text.strip();
      case "template" -> Templates.render(c.requiredString("template"), in.view(), limit);
      case "truncate" -> {
        int max = c.integer("max_chars", 1000, 1, 1_000_000);
        yield text.length() <= max ? text : text.substring(0, max);
      }
      case "json_extract" -> {
        Object json = Json.parse(text.strip());
        @SuppressWarnings("unchecked")
        Map<String, Object> root = json instanceof Map ? (Map<String, Object>) json : Map.of();
        Object value = Expressions.compile(c.requiredString("path")).evaluate(root);
        if (value == null) {
          throw new GraphException(
              "json_extract: no value at '" + c.requiredString("path") + "' in the node's input");
        }
        yield value instanceof Map || value instanceof java.util.List
            ? Json.write(value)
            : Values.text(value);
      }
      case "json_wrap" -> Json.write(Map.of(c.string("key", "text"), text));
      case "regex_replace" ->
          BoundedMatcher.replaceAll(
              BoundedMatcher.compile(c.requiredString("pattern")),
              text,
              c.string("replacement", ""),
              limit::checkGrowing);
      default -> throw new GraphException("Unknown transform op in node '" + node.id() + "'");
    };
  }
}
