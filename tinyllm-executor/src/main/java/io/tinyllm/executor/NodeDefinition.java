package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One node of a graph file.
 *
 * @param config the node's {@code config} mapping as plain Java values
 * @param fields where each key was written: {@code type}, {@code config.model}, ...
 */
public record NodeDefinition(
    String id,
    NodeType type,
    String name,
    Map<String, Object> config,
    SourceLocation location,
    Map<String, SourceLocation> fields) {

  public NodeDefinition {
    requireNonNull(id, "id is null");
    requireNonNull(type, "type is null");
    requireNonNull(location, "location is null");
    name = name == null ? id : name;
    config = Map.copyOf(requireNonNull(config, "config is null"));
    fields = Map.copyOf(requireNonNull(fields, "fields is null"));
  }

  /** Where {@code field} was written, else where the node starts. */
  public SourceLocation at(String field) {
    return fields.getOrDefault(field, location);
  }

  /** A node built in code, without a source file. */
  public static NodeDefinition of(String id, NodeType type, Map<String, Object> config) {
    return new NodeDefinition(id, type, id, config, new SourceLocation("<code>", 0), Map.of());
  }

  NodeConfig settings() {
    return new NodeConfig(this);
  }
}
