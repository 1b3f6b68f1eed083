package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.GraphException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads graph files and validates them, reporting every problem with its file, line, node and
 * field. YAML is composed to nodes (never to arbitrary objects), which keeps line numbers and runs
 * no constructors. What a file may hold is bounded: its size and encoding ({@link GraphText}), and
 * what its aliases expand to ({@link GraphYaml}).
 *
 * <pre>{@code
 * GraphDefinition graph = new GraphLoader().load(Path.of("qa.yaml"));
 * }</pre>
 */
public final class GraphLoader {
  private static final String GRAPHS = "/io/tinyllm/executor/graphs/";

  /** Why {@code e} happened, in words: the JDK's message for a missing file is only its path. */
  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return e.getMessage() == null ? "input/output error" : e.getMessage();
  }

  /**
   * Warnings about a valid {@code graph}: keys in a node's {@code config} that its type ignores,
   * with the closest known key ({@code modle}: did you mean {@code model}?).
   */
  public static List<ValidationError> warnings(GraphDefinition graph) {
    requireNonNull(graph, "graph is null");
    return NodeConfigCheck.unknownKeys(graph);
  }

  /** Loads and validates {@code file}. */
  public GraphDefinition load(Path file) {
    requireNonNull(file, "file is null");
    try {
      String name = file.toString();
      return parse(name, GraphText.read(file, name));
    } catch (IOException e) {
      throw new GraphException("Cannot read graph file " + file + ": " + reason(e), e);
    }
  }

  /** Loads a bundled example graph by file name ({@code qa.yaml}, {@code routed.yaml}). */
  public GraphDefinition loadExample(String fileName) {
    requireNonNull(fileName, "fileName is null");
    try (InputStream in = GraphLoader.class.getResourceAsStream(GRAPHS + fileName)) {
      if (in == null) {
        throw new GraphException("No bundled graph named '" + fileName + "'");
      }
      return parse(fileName, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new GraphException("Cannot read bundled graph " + fileName, e);
    }
  }

  /** Parses and validates {@code yaml}; {@code fileName} names the source in error messages. */
  public GraphDefinition parse(String fileName, String yaml) {
    requireNonNull(fileName, "fileName is null");
    requireNonNull(yaml, "yaml is null");
    List<ValidationError> errors = new ArrayList<>();
    Node root;
    try {
      root = GraphYaml.compose(fileName, GraphText.check(fileName, yaml));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new GraphValidationException(
          fileName,
          List.of(
              new ValidationError(
                  new SourceLocation(fileName, line), null, "(yaml)", e.getProblem())));
    } catch (YAMLException e) {
      throw new GraphValidationException(
          fileName,
          List.of(
              new ValidationError(
                  new SourceLocation(fileName, 0), null, "(yaml)", e.getMessage())));
    }
    if (!(root instanceof MappingNode mapping)) {
      throw new GraphValidationException(
          fileName,
          List.of(
              new ValidationError(
                  new SourceLocation(fileName, root == null ? 0 : YamlValues.line(root)),
                  null,
                  "(graph)",
                  "expected a mapping with id, nodes and edges")));
    }
    DuplicateKeys.check(fileName, mapping, errors::add);
    GraphDefinition graph = new GraphReader(fileName, errors).read(mapping);
    new GraphValidator().validate(graph, errors::add);
    if (!errors.isEmpty()) {
      errors.sort(java.util.Comparator.comparingInt(e -> e.location().line()));
      throw new GraphValidationException(fileName, errors);
    }
    return graph;
  }

  /** Turns the top-level mapping into a definition, reporting wrong types as it goes. */
  private static final class GraphReader {
    private final String file;
    private final List<ValidationError> errors;

    GraphReader(String file, List<ValidationError> errors) {
      this.file = file;
      this.errors = errors;
    }

    GraphDefinition read(MappingNode root) {
      Map<String, Node> top = entries(root, null, "");
      Map<String, SourceLocation> fields = new LinkedHashMap<>();
      top.forEach((k, v) -> fields.put(k, at(v)));
      if (top.get("metadata") instanceof MappingNode metadataNode) {
        // where each execution setting was written, for GraphExecution's errors
        Node execution = entries(metadataNode, null, "metadata.").get(GraphExecution.KEY);
        if (execution != null) {
          fields.put("metadata." + GraphExecution.KEY, at(execution));
        }
        if (execution instanceof MappingNode settings) {
          entries(settings, null, "metadata." + GraphExecution.KEY + ".")
              .forEach((k, v) -> fields.put("metadata." + GraphExecution.KEY + "." + k, at(v)));
        }
      }
      String id = scalar(top.get("id"), null, "id", true);
      List<NodeDefinition> nodes = new ArrayList<>();
      for (Node item : sequence(top.get("nodes"), null, "nodes", true)) {
        NodeDefinition node = node(item);
        if (node != null) {
          nodes.add(node);
        }
      }
      List<EdgeDefinition> edges = new ArrayList<>();
      for (Node item : sequence(top.get("edges"), null, "edges", false)) {
        EdgeDefinition edge = edge(item);
        if (edge != null) {
          edges.add(edge);
        }
      }
      Object metadata = top.get("metadata") == null ? null : YamlValues.value(top.get("metadata"));
      if (metadata != null && !(metadata instanceof Map)) {
        wrong(top.get("metadata"), null, "metadata", "a mapping");
        metadata = null;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> meta =
          metadata == null ? Map.of() : withoutNulls((Map<String, Object>) metadata);
      return new GraphDefinition(
          id == null ? "unnamed" : id,
          scalar(top.get("version"), null, "version", false),
          scalar(top.get("name"), null, "name", false),
          scalar(top.get("description"), null, "description", false),
          meta,
          nodes,
          edges,
          strings(top.get("entry_points"), "entry_points"),
          strings(top.get("exit_points"), "exit_points"),
          bool(top.get("protected"), "protected"),
          bool(top.get("allow_cycles"), "allow_cycles"),
          new SourceLocation(file, YamlValues.line(root)),
          fields);
    }

    private NodeDefinition node(Node item) {
      if (!(item instanceof MappingNode mapping)) {
        wrong(item, null, "nodes", "a mapping with id and type");
        return null;
      }
      Map<String, Node> entries = entries(mapping, null, "");
      String id = scalar(entries.get("id"), null, "id", true);
      if (id == null) {
        errors.add(new ValidationError(at(item), null, "id", "every node needs an id"));
        return null;
      }
      String typeName = scalar(entries.get("type"), id, "type", true);
      if (typeName == null) {
        return null;
      }
      NodeType type = NodeType.fromYaml(typeName).orElse(null);
      if (type == null) {
        errors.add(
            new ValidationError(
                at(entries.get("type")),
                id,
                "type",
                "unknown node type '" + typeName + "' (expected one of " + NodeType.names() + ")"));
        return null;
      }
      Map<String, SourceLocation> fields = new LinkedHashMap<>();
      entries.forEach((k, v) -> fields.put(k, at(v)));
      Map<String, Object> config = Map.of();
      Node configNode = entries.get("config");
      if (configNode instanceof MappingNode configMapping) {
        entries(configMapping, id, "config.").forEach((k, v) -> fields.put("config." + k, at(v)));
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) YamlValues.value(configMapping);
        config = withoutNulls(values);
      } else if (configNode != null && YamlValues.value(configNode) != null) {
        wrong(configNode, id, "config", "a mapping");
      }
      return new NodeDefinition(
          id, type, scalar(entries.get("name"), id, "name", false), config, at(item), fields);
    }

    private EdgeDefinition edge(Node item) {
      if (!(item instanceof MappingNode mapping)) {
        wrong(item, null, "edges", "a mapping with from_node and to_node");
        return null;
      }
      Map<String, Node> entries = entries(mapping, null, "");
      String from = scalar(entries.get("from_node"), null, "edges.from_node", true, item);
      String to = scalar(entries.get("to_node"), from, "edges.to_node", true, item);
      double weight = 1.0;
      Node weightNode = entries.get("weight");
      if (weightNode != null) {
        Object w = YamlValues.value(weightNode);
        if (w instanceof Number n) {
          weight = n.doubleValue();
        } else {
          wrong(weightNode, from, "edges.weight", "a number");
        }
      }
      String condition = scalar(entries.get("condition"), from, "edges.condition", false);
      if (from == null || to == null) {
        return null;
      }
      return new EdgeDefinition(
          from,
          to,
          weight,
          condition == null || condition.isBlank() ? null : condition,
          at(entries.getOrDefault("condition", item)));
    }

    private Map<String, Node> entries(MappingNode mapping, String node, String prefix) {
      Map<String, Node> entries = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key) {
          entries.put(key.getValue(), tuple.getValueNode());
        } else {
          errors.add(
              new ValidationError(at(tuple.getKeyNode()), node, prefix + "?", "keys must be text"));
        }
      }
      return entries;
    }

    private String scalar(Node value, String node, String field, boolean required) {
      return scalar(value, node, field, required, null);
    }

    private String scalar(Node value, String node, String field, boolean required, Node parent) {
      if (value == null || value instanceof ScalarNode && YamlValues.value(value) == null) {
        if (required) {
          SourceLocation where =
              value != null ? at(value) : parent != null ? at(parent) : new SourceLocation(file, 1);
          errors.add(new ValidationError(where, node, field, "is required"));
        }
        return null;
      }
      if (!(value instanceof ScalarNode scalar)) {
        wrong(value, node, field, "a string");
        return null;
      }
      return scalar.getValue();
    }

    private List<Node> sequence(Node value, String node, String field, boolean required) {
      if (value == null) {
        if (required) {
          errors.add(new ValidationError(new SourceLocation(file, 1), node, field, "is required"));
        }
        return List.of();
      }
      if (!(value instanceof SequenceNode sequence)) {
        wrong(value, node, field, "a list");
        return List.of();
      }
      return sequence.getValue();
    }

    private List<String> strings(Node value, String field) {
      List<String> out = new ArrayList<>();
      if (value instanceof ScalarNode scalar && YamlValues.value(scalar) != null) {
        out.add(scalar.getValue());
        return out;
      }
      for (Node item : sequence(value, null, field, false)) {
        String s = scalar(item, null, field, true);
        if (s != null) {
          out.add(s);
        }
      }
      return out;
    }

    private boolean bool(Node value, String field) {
      if (value == null) {
        return false;
      }
      Object v = YamlValues.value(value);
      if (v instanceof Boolean b) {
        return b;
      }
      wrong(value, null, field, "true or false");
      return false;
    }

    private void wrong(Node value, String node, String field, String expected) {
      errors.add(
          new ValidationError(
              at(value),
              node,
              field,
              "expected "
                  + expected
                  + " but found "
                  + YamlValues.describe(YamlValues.value(value))));
    }

    private SourceLocation at(Node value) {
      return new SourceLocation(file, YamlValues.line(value));
    }

    private static Map<String, Object> withoutNulls(Map<String, Object> values) {
      Map<String, Object> out = new LinkedHashMap<>();
      values.forEach(
          (k, v) -> {
            if (v != null) {
              out.put(k, v);
            }
          });
      return out;
    }
  }
}
