package io.tinyllm.executor;

import io.tinyllm.api.error.GraphException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Structural and per-node checks of a graph: duplicate ids, dangling edges, entry and exit points,
 * cycles where not allowed, unreachable nodes, bad conditions and node configs. Reports every
 * problem, not just the first.
 */
final class GraphValidator {

  void validate(GraphDefinition graph, Consumer<ValidationError> sink) {
    Map<String, NodeDefinition> byId = new HashMap<>();
    for (NodeDefinition node : graph.nodes()) {
      if (byId.putIfAbsent(node.id(), node) != null) {
        sink.accept(new ValidationError(node.at("id"), node.id(), "id", "duplicate node id"));
      }
    }
    for (EdgeDefinition edge : graph.edges()) {
      checkEnd(edge, edge.from(), "edges.from_node", byId, sink);
      checkEnd(edge, edge.to(), "edges.to_node", byId, sink);
      if (edge.condition() != null) {
        try {
          edge.compiledCondition();
        } catch (GraphException e) {
          sink.accept(
              new ValidationError(edge.location(), edge.from(), "edges.condition", e.getMessage()));
        }
      }
    }
    GraphExecution.of(graph, ExecutorConfig.defaults(), sink);
    points(graph, graph.entryPoints(), "entry_points", NodeType.ENTRY, byId, sink);
    points(graph, graph.exitPoints(), "exit_points", NodeType.EXIT, byId, sink);
    for (NodeDefinition node : graph.nodes()) {
      NodeConfigCheck.check(node, byId, sink);
    }
    if (!graph.allowCycles()) {
      findCycle(graph, byId)
          .ifPresent(
              cycle ->
                  sink.accept(
                      new ValidationError(
                          graph.nodesById().get(cycle.get(0)).location(),
                          cycle.get(0),
                          "edges",
                          "cycle " + String.join(" -> ", cycle) + " but allow_cycles is false")));
    }
    Set<String> reachable = reachable(graph, byId);
    if (!graph.entryPoints().isEmpty()) {
      for (NodeDefinition node : graph.nodes()) {
        if (!reachable.contains(node.id())) {
          sink.accept(
              new ValidationError(
                  node.location(), node.id(), "id", "unreachable from the entry points"));
        }
      }
    }
  }

  private static void checkEnd(
      EdgeDefinition edge,
      String id,
      String field,
      Map<String, NodeDefinition> byId,
      Consumer<ValidationError> sink) {
    if (!byId.containsKey(id)) {
      sink.accept(
          new ValidationError(
              edge.location(),
              edge.from(),
              field,
              "edge " + edge.from() + " -> " + edge.to() + " names no node '" + id + "'"));
    }
  }

  private static void points(
      GraphDefinition graph,
      List<String> ids,
      String field,
      NodeType type,
      Map<String, NodeDefinition> byId,
      Consumer<ValidationError> sink) {
    if (ids.isEmpty()) {
      sink.accept(
          new ValidationError(
              graph.at(field),
              null,
              field,
              "at least one " + type.yamlName() + " node is required"));
    }
    for (String id : ids) {
      NodeDefinition node = byId.get(id);
      if (node == null) {
        sink.accept(new ValidationError(graph.at(field), id, field, "names no node '" + id + "'"));
      } else if (node.type() != type) {
        sink.accept(
            new ValidationError(
                graph.at(field),
                id,
                field,
                "node '"
                    + id
                    + "' is a "
                    + node.type().yamlName()
                    + " node, not an "
                    + type.yamlName()
                    + " node"));
      }
    }
  }

  /** Successors by edge, fanout branch and loop body. */
  static List<String> successors(GraphDefinition graph, NodeDefinition node) {
    List<String> next = new ArrayList<>();
    graph.outgoing(node.id()).forEach(e -> next.add(e.to()));
    if (node.type() == NodeType.FANOUT) {
      next.addAll(new NodeConfig(node, e -> {}).strings("branches"));
    }
    if (node.type() == NodeType.LOOP) {
      String body = new NodeConfig(node, e -> {}).string("body", null);
      if (body != null) {
        next.add(body);
      }
    }
    return next;
  }

  private static Set<String> reachable(GraphDefinition graph, Map<String, NodeDefinition> byId) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(graph.entryPoints());
    while (!todo.isEmpty()) {
      String id = todo.pop();
      NodeDefinition node = byId.get(id);
      if (node != null && seen.add(id)) {
        todo.addAll(successors(graph, node));
      }
    }
    return seen;
  }

  private static java.util.Optional<List<String>> findCycle(
      GraphDefinition graph, Map<String, NodeDefinition> byId) {
    Set<String> done = new HashSet<>();
    for (NodeDefinition start : graph.nodes()) {
      List<String> path = new ArrayList<>();
      java.util.Optional<List<String>> cycle = visit(graph, start.id(), byId, path, done);
      if (cycle.isPresent()) {
        return cycle;
      }
    }
    return java.util.Optional.empty();
  }

  private static java.util.Optional<List<String>> visit(
      GraphDefinition graph,
      String id,
      Map<String, NodeDefinition> byId,
      List<String> path,
      Set<String> done) {
    int index = path.indexOf(id);
    if (index >= 0) {
      List<String> cycle = new ArrayList<>(path.subList(index, path.size()));
      cycle.add(id);
      return java.util.Optional.of(cycle);
    }
    NodeDefinition node = byId.get(id);
    if (node == null || done.contains(id)) {
      return java.util.Optional.empty();
    }
    path.add(id);
    for (EdgeDefinition edge : graph.outgoing(id)) {
      java.util.Optional<List<String>> cycle = visit(graph, edge.to(), byId, path, done);
      if (cycle.isPresent()) {
        return cycle;
      }
    }
    path.remove(path.size() - 1);
    done.add(id);
    return java.util.Optional.empty();
  }
}
