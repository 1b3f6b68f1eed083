package io.tinyllm.executor;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Finds keys written twice in one mapping ({@code model:} twice in a node's config), which YAML
 * forbids and which would otherwise silently take the last value. SnakeYAML checks this only when
 * constructing objects, and graphs are composed to nodes, so it is checked here. Each composed node
 * is visited once (an aliased one where it is first reached), iteratively.
 */
final class DuplicateKeys {
  private DuplicateKeys() {}

  static void check(String file, Node root, Consumer<ValidationError> sink) {
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Place> todo = new ArrayDeque<>();
    todo.push(new Place(root, null, "", true));
    while (!todo.isEmpty()) {
      Place place = todo.pop();
      if (place.value() == null || !seen.add(place.value())) {
        continue;
      }
      if (place.value() instanceof SequenceNode sequence) {
        for (Node item : sequence.getValue()) {
          todo.push(new Place(item, place.node(), place.path(), false));
        }
      } else if (place.value() instanceof MappingNode mapping) {
        mapping(file, mapping, place, todo, sink);
      }
    }
  }

  private static void mapping(
      String file,
      MappingNode mapping,
      Place place,
      Deque<Place> todo,
      Consumer<ValidationError> sink) {
    Map<String, Integer> lines = new HashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        continue;
      }
      int line = YamlValues.line(key);
      Integer first = lines.putIfAbsent(key.getValue(), line);
      if (first != null) {
        sink.accept(
            new ValidationError(
                new SourceLocation(file, line),
                place.node(),
                place.path() + key.getValue(),
                (first == line
                        ? "the key is written twice on line " + line
                        : "the key is written twice, at lines " + first + " and " + line)
                    + "; keep one"));
      }
    }
    for (NodeTuple tuple : mapping.getValue()) {
      String key = tuple.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
      Node value = tuple.getValueNode();
      if (place.top() && key.equals("nodes") && value instanceof SequenceNode nodes) {
        // fields inside a node are named as the loader names them: node 'id' field 'config.model'
        for (Node item : nodes.getValue()) {
          todo.push(new Place(item, nodeId(item), "", false));
        }
        continue;
      }
      todo.push(new Place(value, place.node(), place.path() + key + ".", false));
    }
  }

  /** The node's id as the loader reads it (the last one written), or null. */
  private static String nodeId(Node item) {
    String id = null;
    if (item instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key
            && key.getValue().equals("id")
            && tuple.getValueNode() instanceof ScalarNode value) {
          id = value.getValue();
        }
      }
    }
    return id;
  }

  /** A value to visit: the graph node it belongs to (or null) and its field path so far. */
  private record Place(Node value, String node, String path, boolean top) {}
}
