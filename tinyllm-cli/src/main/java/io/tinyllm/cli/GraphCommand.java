package io.tinyllm.cli;

import io.tinyllm.api.error.GraphException;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.executor.EdgeDefinition;
import io.tinyllm.executor.GraphDefinition;
import io.tinyllm.executor.GraphExport;
import io.tinyllm.executor.GraphLoader;
import io.tinyllm.executor.GraphValidationException;
import io.tinyllm.executor.NodeDefinition;
import io.tinyllm.executor.ValidationError;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tinyllm graph validate|export}: check and draw graph files. */
@Command(
    name = "graph",
    description = "Validate graph files and export them as text, JSON, Mermaid or DOT.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm graph validate my-graph.yaml",
      "  tinyllm graph export builtin:qa --format text"
    },
    subcommands = {GraphCommand.Validate.class, GraphCommand.Export.class})
final class GraphCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing subcommand: validate or export");
  }

  /** {@code graph validate FILE...}. */
  @Command(
      name = "validate",
      description = {
        "Check graph files and list every problem as file:line: what is wrong; config keys a"
            + " node ignores are warnings, with the key probably meant.",
        "Exit status: 0 all valid, 1 a file is invalid or unreadable, 2 usage error."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  tinyllm graph validate my-graph.yaml",
        "  tinyllm graph validate graphs/*.yaml --json"
      })
  static final class Validate implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Graph files (YAML).")
    List<String> files;

    @Option(
        names = "--json",
        description =
            "Print a JSON array: per file, file, valid, graph, nodes, edges, problems and"
                + " warnings (each with file, line, node, field and message).")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int invalid = 0;
      int problems = 0;
      List<Map<String, Object>> report = new java.util.ArrayList<>();
      for (String file : files) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("file", file);
        report.add(entry);
        try {
          GraphDefinition graph = new GraphLoader().load(Path.of(file));
          entry.put("valid", true);
          entry.put("graph", graph.id());
          entry.put("nodes", graph.nodes().size());
          entry.put("edges", graph.edges().size());
          entry.put("problems", List.of());
          List<ValidationError> warnings = GraphLoader.warnings(graph);
          entry.put("warnings", warnings.stream().map(GraphCommand::json).toList());
          if (json) {
            continue;
          }
          warnings.forEach(w -> err.println(warning(w)));
          out.println(
              file
                  + ": valid graph '"
                  + graph.id()
                  + "' ("
                  + graph.nodes().size()
                  + " nodes, "
                  + graph.edges().size()
                  + " edges)");
        } catch (GraphValidationException e) {
          invalid++;
          problems += e.errors().size();
          entry.put("valid", false);
          entry.put("problems", e.errors().stream().map(GraphCommand::json).toList());
          if (!json) {
            e.errors().forEach(err::println);
          }
        } catch (GraphException e) {
          invalid++;
          problems++;
          entry.put("valid", false);
          Map<String, Object> problem = new LinkedHashMap<>();
          problem.put("file", file);
          problem.put("message", e.getMessage());
          entry.put("problems", List.of(problem));
          if (!json) {
            err.println(file + ": " + e.getMessage());
          }
        }
      }
      if (json) {
        out.println(CliJson.pretty(report));
      }
      out.flush();
      err.flush();
      if (invalid > 0) {
        throw new TinyLlmException(
            invalid
                + (invalid == 1 ? " graph file is" : " graph files are")
                + " invalid ("
                + problems
                + (problems == 1 ? " problem" : " problems")
                + ")");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code graph export FILE --format ...}. */
  @Command(
      name = "export",
      description = "Print a graph as text, json, mermaid or dot.",
      footerHeading = "%nExamples:%n",
      footer = {
        "  tinyllm graph export builtin:qa --format text",
        "  tinyllm graph export my-graph.yaml --format dot | dot -Tsvg > graph.svg",
        "  tinyllm graph export my-graph.yaml > graph.mmd      # Mermaid"
      })
  static final class Export implements Callable<Integer> {
    @Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "Graph file (YAML), or builtin:qa for the graph run uses by default.")
    String file;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        description = "text, json, mermaid (default) or dot.")
    String format = "mermaid";

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (!List.of("text", "json", "mermaid", "dot").contains(format)) {
        throw new UsageException(
            "Invalid value '" + format + "' for --format: expected text, json, mermaid or dot");
      }
      GraphDefinition graph = QueryRunner.loadGraph(file);
      PrintWriter out = spec.commandLine().getOut();
      switch (format) {
        case "json" -> out.println(CliJson.pretty(json(graph)));
        case "mermaid" -> out.print(GraphExport.mermaid(graph));
        case "dot" -> out.print(GraphExport.dot(graph));
        default -> out.print(text(graph));
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code file:line: warning: node 'x' field 'modle': ...}, as compilers word it. */
  private static String warning(ValidationError w) {
    String location = w.location().toString();
    return location + ": warning: " + w.toString().substring(location.length() + 2);
  }

  private static Map<String, Object> json(ValidationError error) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("file", error.location().file());
    json.put("line", error.location().line());
    json.put("node", error.node());
    json.put("field", error.field());
    json.put("message", error.message());
    return json;
  }

  /** The graph in the YAML file's own shape and names. */
  static Map<String, Object> json(GraphDefinition graph) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", graph.id());
    json.put("version", graph.version());
    json.put("name", graph.name());
    json.put("description", graph.description());
    json.put("metadata", graph.metadata());
    json.put(
        "nodes",
        graph.nodes().stream()
            .map(
                n -> {
                  Map<String, Object> node = new LinkedHashMap<>();
                  node.put("id", n.id());
                  node.put("type", n.type().yamlName());
                  node.put("name", n.name());
                  node.put("config", n.config());
                  return node;
                })
            .toList());
    json.put(
        "edges",
        graph.edges().stream()
            .map(
                e -> {
                  Map<String, Object> edge = new LinkedHashMap<>();
                  edge.put("from_node", e.from());
                  edge.put("to_node", e.to());
                  edge.put("weight", e.weight());
                  edge.put("condition", e.condition());
                  return edge;
                })
            .toList());
    json.put("entry_points", graph.entryPoints());
    json.put("exit_points", graph.exitPoints());
    json.put("protected", graph.protectedGraph());
    json.put("allow_cycles", graph.allowCycles());
    return json;
  }

  static String text(GraphDefinition graph) {
    StringBuilder out = new StringBuilder();
    out.append("graph ").append(graph.id());
    if (!graph.name().equals(graph.id())) {
      out.append(" \"").append(graph.name()).append('"');
    }
    out.append(" (version ").append(graph.version()).append(")\n");
    if (!graph.description().isBlank()) {
      out.append("  ").append(graph.description()).append('\n');
    }
    out.append("nodes:\n");
    java.io.StringWriter nodes = new java.io.StringWriter();
    Table table = new Table("  ID", "TYPE", "NAME", "MODEL");
    for (NodeDefinition node : graph.nodes()) {
      Object model = node.config().get("model");
      table.row("  " + node.id(), node.type().yamlName(), node.name(), model);
    }
    table.print(new PrintWriter(nodes));
    out.append(nodes);
    out.append("edges:\n");
    for (EdgeDefinition edge : graph.edges()) {
      out.append("  ").append(edge.from()).append(" -> ").append(edge.to());
      if (edge.condition() != null) {
        out.append("  [").append(edge.condition()).append(']');
      }
      out.append('\n');
    }
    out.append("entry points: ").append(String.join(", ", graph.entryPoints())).append('\n');
    out.append("exit points: ").append(String.join(", ", graph.exitPoints())).append('\n');
    return out.toString();
  }
}
