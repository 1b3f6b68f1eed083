package io.tinyllm.executor;

import com.google.re2j.Pattern;
import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.executor.expression.BoundedMatcher;
import io.tinyllm.executor.expression.ExpressionException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** Checks the {@code config} of each node type, so a bad value fails at load, not mid-run. */
final class NodeConfigCheck {
  static final List<String> TRANSFORMS =
      List.of(
          "uppercase",
          "lowercase",
          "trim",
          "template",
          "truncate",
          "json_extract",
          "json_wrap",
          "regex_replace");
  static final List<String> AGGREGATIONS = List.of("first_success", "all", "majority_vote");
  static final List<String> APIS = List.of("generate", "chat");

  private NodeConfigCheck() {}

  /** Checks {@code node}'s config; returns the keys its type reads. */
  static Set<String> check(
      NodeDefinition node, Map<String, NodeDefinition> byId, Consumer<ValidationError> sink) {
    NodeConfig c = new NodeConfig(node, sink);
    c.duration("timeout", null);
    c.integer("retries", 0, 0, 10);
    switch (node.type()) {
      case MODEL -> {
        c.string("model", null);
        c.string("prompt", null);
        c.string("system", null);
        checkCall(c);
        if (!ModelTools.from(c).isEmpty() && !"chat".equals(c.string("api", "generate"))) {
          c.problem("tools", "need api: chat (Ollama's generate takes no tools)", null);
        }
      }
      case ROUTER -> {
        List<String> routes = c.strings("routes");
        if (routes.isEmpty()) {
          c.problem("routes", "a router needs at least one route", null);
        }
        String fallback = c.string("default", null);
        if (fallback != null && !routes.isEmpty() && !routes.contains(fallback)) {
          c.problem("default", "'" + fallback + "' is not one of the routes " + routes, null);
        }
        c.string("model", null);
        c.string("prompt", null);
        c.string("system", null);
        checkCall(c);
      }
      case TRANSFORM -> {
        String op = c.oneOf("op", TRANSFORMS, null, s -> s);
        if (op == null && !c.has("op")) {
          c.problem("op", "is required; one of " + TRANSFORMS, null);
        }
        if ("template".equals(op)) {
          c.requiredString("template");
        }
        if ("json_extract".equals(op)) {
          c.requiredString("path");
        }
        if ("json_wrap".equals(op)) {
          c.string("key", "text");
        }
        if ("regex_replace".equals(op)) {
          checkRegexReplace(c);
        }
        c.integer("max_chars", 1000, 1, 1_000_000);
      }
      case GATE -> c.expression("condition", true);
      case FANOUT -> {
        List<String> branches = c.strings("branches");
        if (branches.isEmpty()) {
          c.problem("branches", "a fanout needs at least one branch", null);
        }
        for (String branch : branches) {
          if (!byId.containsKey(branch)) {
            c.problem("branches", "names no node '" + branch + "'", null);
          }
        }
        c.oneOf("aggregation", AGGREGATIONS, null, s -> s);
        c.string("separator", "\n");
      }
      case LOOP -> {
        String body = c.requiredString("body");
        if (!body.isEmpty() && !byId.containsKey(body)) {
          c.problem("body", "names no node '" + body + "'", null);
        }
        c.integer("max_iterations", 3, 1, 100);
        c.expression("until", false);
      }
      case ENTRY, EXIT -> {}
    }
    return c.keysRead();
  }

  /**
   * Keys in a node's {@code config} that its type does not read, each with the closest known key
   * when one is near: a typo ({@code modle}) would otherwise be ignored without a word.
   */
  static List<ValidationError> unknownKeys(GraphDefinition graph) {
    Map<String, NodeDefinition> byId = new java.util.HashMap<>();
    graph.nodes().forEach(n -> byId.put(n.id(), n));
    List<ValidationError> warnings = new java.util.ArrayList<>();
    for (NodeDefinition node : graph.nodes()) {
      Set<String> known = new java.util.TreeSet<>(check(node, byId, e -> {}));
      for (String key : node.config().keySet()) {
        if (!known.contains(key)) {
          String hint =
              KnownSettings.closest(key, known)
                  .map(k -> "; did you mean '" + k + "'?")
                  .orElse(known.isEmpty() ? "; this node type takes no config" : "");
          warnings.add(
              new ValidationError(
                  node.location(),
                  node.id(),
                  key,
                  "unknown config key for a " + node.type().yamlName() + " node, ignored" + hint));
        }
      }
    }
    return warnings;
  }

  /** What a model or router node asks of the client: options, {@code api} and {@code stream}. */
  private static void checkCall(NodeConfig c) {
    ModelOptions.from(c);
    c.oneOf("api", APIS, null, s -> s);
    c.bool("stream", false);
  }

  private static void checkRegexReplace(NodeConfig c) {
    String source = c.requiredString("pattern");
    String replacement = c.string("replacement", "");
    if (source.isEmpty()) {
      return;
    }
    Pattern pattern;
    try {
      pattern = BoundedMatcher.compile(source);
    } catch (ExpressionException e) {
      c.problem("pattern", e.getMessage(), null);
      return;
    }
    if (replacement != null) {
      try {
        BoundedMatcher.checkReplacement(pattern, replacement);
      } catch (ExpressionException e) {
        c.problem("replacement", e.getMessage(), null);
      }
    }
  }
}
