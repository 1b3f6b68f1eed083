package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GraphCommandTest {
  private static final String VALID =
      """
      id: review
      name: Review
      nodes:
        - {id: entry, type: entry}
        - {id: draft, type: model, config: {model: "qwen2.5:0.5b"}}
        - {id: exit, type: exit}
      edges:
        - {from_node: entry, to_node: draft}
        - {from_node: draft, to_node: exit, condition: "text != ''"}
      entry_points: [entry]
      exit_points: [exit]
      """;

  private static final String INVALID =
      """
      id: broken
      nodes:
        - {id: entry, type: entry}
        - {id: think, type: wizard}
        - {id: exit, type: exit}
      edges:
        - {from_node: entry, to_node: nowhere}
      entry_points: [entry]
      exit_points: [exit]
      """;

  @TempDir Path dir;

  private Path file(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  @Test
  void aValidGraphIsSaidToBeValid() throws Exception {
    Path graph = file("review.yaml", VALID);

    Cli.Result result = Cli.run("graph", "validate", graph.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo(graph + ": valid graph 'review' (3 nodes, 2 edges)\n");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void anUnknownConfigKeyIsAWarningNamingTheKeyMeant() throws Exception {
    Path graph = file("typo.yaml", VALID.replace("config: {model:", "config: {modle:"));

    Cli.Result result = Cli.run("graph", "validate", graph.toString());
    Cli.Result json = Cli.run("graph", "validate", "--json", graph.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo(graph + ": valid graph 'review' (3 nodes, 2 edges)\n");
    assertThat(result.err())
        .isEqualTo(
            graph
                + ":5: warning: node 'draft' field 'modle': unknown config key for a model node,"
                + " ignored; did you mean 'model'?\n");
    JsonNode warning = CliJson.mapper().readTree(json.out()).get(0).get("warnings").get(0);
    assertThat(warning.get("field").asText()).isEqualTo("modle");
    assertThat(warning.get("line").asInt()).isEqualTo(5);
  }

  @Test
  void theBundledGraphsHaveNoWarnings() {
    for (String name : new String[] {"qa", "routed"}) {
      assertThat(io.tinyllm.executor.GraphLoader.warnings(QueryRunner.loadGraph("builtin:" + name)))
          .as(name)
          .isEmpty();
    }
  }

  @Test
  void everyProblemIsListedWithFileAndLine() throws Exception {
    Path graph = file("broken.yaml", INVALID);

    Cli.Result result = Cli.run("graph", "validate", graph.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .contains(graph + ":4: node 'think' field 'type': unknown node type 'wizard'")
        .containsPattern(java.util.regex.Pattern.quote(graph.toString()) + ":7: .*nowhere")
        .endsWith(
            "tinyllm: 1 graph file is invalid ("
                + (result.err().lines().count() - 1)
                + " problems)\n");
    assertThat(result.err().lines().limit(result.err().lines().count() - 1))
        .allMatch(line -> line.startsWith(graph + ":"));
  }

  @Test
  void severalFilesAreCheckedAndAMissingOneIsAnError() throws Exception {
    Path good = file("good.yaml", VALID);

    Cli.Result result =
        Cli.run("graph", "validate", good.toString(), dir.resolve("gone.yaml").toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).startsWith(good + ": valid graph");
    assertThat(result.err())
        .startsWith(dir.resolve("gone.yaml") + ": Cannot read graph file")
        .endsWith("tinyllm: 1 graph file is invalid (1 problem)\n");
  }

  @Test
  void exportsMermaidAndDot() throws Exception {
    Path graph = file("review.yaml", VALID);

    Cli.Result mermaid = Cli.run("graph", "export", graph.toString(), "--format", "mermaid");
    Cli.Result dot = Cli.run("graph", "export", graph.toString(), "--format", "dot");

    assertThat(mermaid.exitCode()).isZero();
    assertThat(mermaid.out())
        .startsWith("flowchart TD\n")
        .contains("n_entry --> n_draft")
        .contains("n_draft -->|\"text != ''\"| n_exit");
    assertThat(dot.exitCode()).isZero();
    assertThat(dot.out())
        .startsWith("digraph \"review\" {\n")
        .contains("\"entry\" -> \"draft\";")
        .endsWith("}\n");
  }

  @Test
  void exportsJsonInTheFilesShapeAndText() throws Exception {
    Path graph = file("review.yaml", VALID);

    Cli.Result json = Cli.run("graph", "export", graph.toString(), "--format", "json");
    Cli.Result text = Cli.run("graph", "export", graph.toString(), "--format", "text");

    JsonNode node = CliJson.mapper().readTree(json.out());
    assertThat(node.get("id").asText()).isEqualTo("review");
    assertThat(node.get("nodes").get(1).get("config").get("model").asText())
        .isEqualTo("qwen2.5:0.5b");
    assertThat(node.get("edges").get(1).get("condition").asText()).isEqualTo("text != ''");
    assertThat(text.out())
        .startsWith("graph review \"Review\" (version 1.0)\n")
        .containsPattern("(?m)^  draft +model +draft +qwen2\\.5:0\\.5b$")
        .contains("  draft -> exit  [text != '']\n");
  }

  @Test
  void exportOfAnInvalidGraphFailsAndABadFormatIsAUsageError() throws Exception {
    Path broken = file("broken.yaml", INVALID);
    Path good = file("good.yaml", VALID);

    Cli.Result invalid = Cli.run("graph", "export", broken.toString());
    Cli.Result format = Cli.run("graph", "export", good.toString(), "--format", "png");

    assertThat(invalid.exitCode()).isEqualTo(1);
    assertThat(invalid.err()).contains(broken + ":4: node 'think'");
    assertThat(format.exitCode()).isEqualTo(2);
    assertThat(format.err())
        .isEqualTo(
            "tinyllm: Invalid value 'png' for --format: expected text, json, mermaid or dot\n");
  }

  @Test
  void exportsTheBuiltInGraphWithItsLimits() throws Exception {
    Cli.Result json = Cli.run("graph", "export", "builtin:qa", "--format", "json");
    Cli.Result unknown = Cli.run("graph", "export", "builtin:../qa");

    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode answer = CliJson.mapper().readTree(json.out()).get("nodes").get(1);
    assertThat(answer.get("id").asText()).isEqualTo("answer");
    assertThat(answer.get("config").get("options").get("num_predict").asInt()).isEqualTo(1024);
    assertThat(answer.get("config").get("system").asText()).isNotBlank();
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("tinyllm: No bundled graph named '../qa'\n");
  }
}
