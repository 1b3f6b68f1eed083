package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A graph as written in a YAML file (the Python project's format). Obtain a validated one from
 * {@link GraphLoader}.
 *
 * @param fields where each top-level key was written ({@code entry_points}, ...)
 */
public record GraphDefinition(
    String id,
    String version,
    String name,
    String description,
    Map<String, Object> metadata,
    List<NodeDefinition> nodes,
    List<EdgeDefinition> edges,
    List<String> entryPoints,
    List<String> exitPoints,
    boolean protectedGraph,
    boolean allowCycles,
    SourceLocation location,
    Map<String, SourceLocation> fields) {

  public GraphDefinition {
    requireNonNull(id, "id is null");
    version = version == null ? "1.0" : version;
    name = name == null ? id : name;
    description = description == null ? "" : description;
    metadata = Map.copyOf(requireNonNull(metadata, "metadata is null"));
    nodes = List.copyOf(requireNonNull(nodes, "nodes is null"));
    edges = List.copyOf(requireNonNull(edges, "edges is null"));
    entryPoints = List.copyOf(requireNonNull(entryPoints, "entryPoints is null"));
    exitPoints = List.copyOf(requireNonNull(exitPoints, "exitPoints is null"));
    requireNonNull(location, "location is null");
    fields = Map.copyOf(requireNonNull(fields, "fields is null"));
  }

  public Optional<NodeDefinition> node(String nodeId) {
    return nodes.stream().filter(n -> n.id().equals(nodeId)).findFirst();
  }

  /** Nodes by id, in file order. */
  public Map<String, NodeDefinition> nodesById() {
    Map<String, NodeDefinition> byId = new LinkedHashMap<>();
    nodes.forEach(n -> byId.putIfAbsent(n.id(), n));
    return byId;
  }

  public List<EdgeDefinition> outgoing(String nodeId) {
    return edges.stream().filter(e -> e.from().equals(nodeId)).toList();
  }

  /** Where the top-level {@code field} was written, else the start of the file. */
  public SourceLocation at(String field) {
    return fields.getOrDefault(field, location);
  }
}
