package io.tinyllm.executor;

import io.tinyllm.api.llm.ToolCall;
import io.tinyllm.api.llm.ToolDefinition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model node's {@code config.tools} as {@link ToolDefinition}s, and the tool calls of its answer
 * as the payload's {@code tool_calls}.
 *
 * <pre>{@code
 * tools:
 *   - name: get_weather
 *     description: Get the weather in a given city
 *     parameters:          # a JSON schema, written in YAML
 *       type: object
 *       properties: {city: {type: string}}
 *       required: [city]
 * }</pre>
 */
final class ModelTools {
  /** More tools than this in one node is a mistake, and each costs prompt tokens. */
  static final int MAX_TOOLS = 64;

  private static final Set<String> KEYS = Set.of("name", "description", "parameters");
  private static final String EMPTY_SCHEMA = "{\"type\":\"object\",\"properties\":{}}";

  private ModelTools() {}

  /** The tools {@code c} declares, each problem reported on {@code config.tools}. */
  static List<ToolDefinition> from(NodeConfig c) {
    if (!c.has("tools")) {
      return List.of();
    }
    Object value = c.raw("tools");
    if (!(value instanceof List<?> list)) {
      return c.problem(
          "tools",
          "expected a list of tools (name, description, parameters) but found "
              + YamlValues.describe(value),
          List.of());
    }
    if (list.size() > MAX_TOOLS) {
      return c.problem(
          "tools",
          "has " + list.size() + " tools; at most " + MAX_TOOLS + " are allowed",
          List.of());
    }
    List<ToolDefinition> tools = new ArrayList<>(list.size());
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      ToolDefinition tool = tool(c, i, list.get(i));
      if (tool == null) {
        continue;
      }
      if (!names.add(tool.name())) {
        c.problem("tools", "tool " + i + " repeats the name '" + tool.name() + "'", null);
        continue;
      }
      tools.add(tool);
    }
    return List.copyOf(tools);
  }

  private static ToolDefinition tool(NodeConfig c, int index, Object item) {
    String where = "tool " + index + " ";
    if (!(item instanceof Map<?, ?> map)) {
      return c.problem(
          "tools", where + "must be a mapping but is " + YamlValues.describe(item), null);
    }
    for (Object key : map.keySet()) {
      if (!KEYS.contains(String.valueOf(key))) {
        return c.problem(
            "tools",
            where + "has unknown key '" + key + "'; a tool has name, description, parameters",
            null);
      }
    }
    Object name = map.get("name");
    if (!(name instanceof String text) || text.isBlank()) {
      return c.problem("tools", where + "needs a name", null);
    }
    Object description = map.get("description");
    if (description != null && !(description instanceof String)) {
      return c.problem("tools", where + "'" + text + "': description must be text", null);
    }
    Object parameters = map.get("parameters");
    if (parameters != null && !(parameters instanceof Map<?, ?>)) {
      return c.problem(
          "tools",
          where
              + "'"
              + text
              + "': parameters must be a JSON schema mapping but is "
              + YamlValues.describe(parameters),
          null);
    }
    String schema = parameters == null ? EMPTY_SCHEMA : Json.write(parameters);
    return ToolDefinition.function(text, (String) description, schema);
  }

  /**
   * The payload's {@code tool_calls}: one map per call with {@code name}, {@code arguments} (the
   * arguments object as maps, lists and scalars; its text if it is too long to parse) and {@code
   * id} when the server gave one.
   */
  static List<Map<String, Object>> payload(List<ToolCall> calls) {
    List<Map<String, Object>> out = new ArrayList<>(calls.size());
    for (ToolCall call : calls) {
      Map<String, Object> entry = new LinkedHashMap<>();
      if (call.id() != null) {
        entry.put("id", call.id());
      }
      entry.put("name", call.name());
      Object arguments = Json.parseOrNull(call.argumentsJson());
      // beyond Json.MAX_CHARS (or not an object) the text is kept as it came, not dropped
      entry.put("arguments", arguments == null ? call.argumentsJson() : arguments);
      out.add(Collections.unmodifiableMap(entry));
    }
    return List.copyOf(out);
  }
}
