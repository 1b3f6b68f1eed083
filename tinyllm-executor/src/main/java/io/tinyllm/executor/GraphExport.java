package io.tinyllm.executor;

import java.util.Locale;

/**
 * A graph as a Mermaid flowchart or a Graphviz DOT digraph, edges labelled with their conditions
 * and fanout branches and loop bodies drawn dashed.
 *
 * <pre>{@code
 * String mermaid = GraphExport.mermaid(graph);
 * }</pre>
 */
public final class GraphExport {
  private GraphExport() {}

  public static String mermaid(GraphDefinition graph) {
    StringBuilder out = new StringBuilder("flowchart TD\n");
    for (NodeDefinition node : graph.nodes()) {
      String label = escapeMermaid(node.name() + " (" + node.type().yamlName() + ")");
      String shape =
          switch (node.type()) {
            case ENTRY, EXIT -> "([\"" + label + "\"])";
            case ROUTER, GATE -> "{\"" + label + "\"}";
            default -> "[\"" + label + "\"]";
          };
      out.append("  ").append(id(node.id())).append(shape).append('\n');
    }
    for (EdgeDefinition edge : graph.edges()) {
      out.append("  ").append(id(edge.from()));
      if (edge.condition() == null) {
        out.append(" --> ");
      } else {
        out.append(" -->|\"").append(escapeMermaid(edge.condition())).append("\"| ");
      }
      out.append(id(edge.to())).append('\n');
    }
    for (NodeDefinition node : graph.nodes()) {
      for (String child : children(node)) {
        out.append("  ").append(id(node.id())).append(" -.-> ").append(id(child)).append('\n');
      }
    }
    return out.toString();
  }

  public static String dot(GraphDefinition graph) {
    StringBuilder out = new StringBuilder("digraph ").append(quote(graph.id())).append(" {\n");
    out.append("  rankdir=TB;\n");
    for (NodeDefinition node : graph.nodes()) {
      String shape =
          switch (node.type()) {
            case ENTRY, EXIT -> "ellipse";
            case ROUTER, GATE -> "diamond";
            default -> "box";
          };
      out.append("  ")
          .append(quote(node.id()))
          .append(" [label=")
          .append(quote(node.name() + "\n" + node.type().yamlName()))
          .append(", shape=")
          .append(shape)
          .append("];\n");
    }
    for (EdgeDefinition edge : graph.edges()) {
      out.append("  ").append(quote(edge.from())).append(" -> ").append(quote(edge.to()));
      if (edge.condition() != null) {
        out.append(" [label=").append(quote(edge.condition())).append(']');
      }
      out.append(";\n");
    }
    for (NodeDefinition node : graph.nodes()) {
      for (String child : children(node)) {
        out.append("  ")
            .append(quote(node.id()))
            .append(" -> ")
            .append(quote(child))
            .append(" [style=dashed];\n");
      }
    }
    return out.append("}\n").toString();
  }

  private static java.util.List<String> children(NodeDefinition node) {
    NodeConfig c = new NodeConfig(node, e -> {});
    return switch (node.type()) {
      case FANOUT -> c.strings("branches");
      case LOOP ->
          c.string("body", null) == null
              ? java.util.List.of()
              : java.util.List.of(c.string("body", null));
      default -> java.util.List.of();
    };
  }

  /** Mermaid ids allow letters, digits and underscores only. */
  private static String id(String nodeId) {
    StringBuilder out = new StringBuilder("n_");
    for (char ch : nodeId.toCharArray()) {
      out.append(Character.isLetterOrDigit(ch) && ch < 128 ? ch : '_');
    }
    return out.toString().toLowerCase(Locale.ROOT).equals("n_end") ? "n_end_" : out.toString();
  }

  private static String escapeMermaid(String text) {
    return text.replace("\"", "#quot;");
  }

  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
