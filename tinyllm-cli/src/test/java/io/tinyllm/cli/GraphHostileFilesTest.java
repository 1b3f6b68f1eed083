package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graph files written to hurt, through every command that loads a graph: each is refused with exit
 * 1, one {@code tinyllm:} line and the problem at its {@code file:line}, never a stack trace, and
 * nothing is written to stdout. (The executor's {@code HostileGraphTest} pins each limit exactly.)
 */
class GraphHostileFilesTest {
  private static final String NODES =
      """
      id: hostile
      nodes:
        - {id: in, type: entry}
        - {id: out, type: exit}
      edges:
        - {from_node: in, to_node: out}
      entry_points: [in]
      exit_points: [out]
      """;

  @TempDir Path dir;

  /** 16 levels of three aliases (45 aliases, under SnakeYAML's cap of 50): 3^16 values. */
  private static String aliasBomb() {
    StringBuilder yaml = new StringBuilder(NODES).append("metadata:\n  c0: &c0 [x, x, x]\n");
    for (int i = 1; i < 16; i++) {
      yaml.append("  c%d: &c%d [*c%d, *c%d, *c%d]\n".formatted(i, i, i - 1, i - 1, i - 1));
    }
    return yaml.toString();
  }

  private Path write(String name, String yaml) throws IOException {
    return Files.writeString(dir.resolve(name), yaml, StandardCharsets.UTF_8);
  }

  /** Every command that loads {@code graph} refuses it, naming {@code where} and {@code what}. */
  private void refusedEverywhere(Path graph, String where, String what) throws IOException {
    Path prompts = write("prompts.txt", "one\ntwo\n");
    List<String[]> calls =
        List.of(
            new String[] {"graph", "validate", graph.toString()},
            new String[] {"graph", "export", graph.toString(), "--format", "json"},
            new String[] {"graph", "export", graph.toString(), "--format", "mermaid"},
            new String[] {"run", "--ollama", Cli.NOWHERE, "--graph", graph.toString(), "hi"},
            new String[] {
              "batch", prompts.toString(), "--ollama", Cli.NOWHERE, "--graph", graph.toString()
            });
    for (String[] call : calls) {
      Cli.Result result = Cli.run(call);
      String as = String.join(" ", call) + " -> " + result.exitCode() + "\n" + result.err();
      assertThat(result.exitCode()).as(as).isEqualTo(1);
      assertThat(result.out()).as(as).isEmpty();
      assertThat(result.err().lines().filter(l -> l.startsWith("tinyllm: "))).as(as).hasSize(1);
      assertThat(result.err())
          .as(as)
          .contains(where + ": field '(yaml)': " + what)
          .doesNotContain("\tat ")
          .doesNotContain("Exception")
          .doesNotContain("Error:");
      assertThat(result.err().lines()).as(as).hasSizeLessThanOrEqualTo(2);
    }
  }

  @Test
  void anAliasBombIsRefusedAtItsLineByEveryCommand() throws IOException {
    Path graph = write("bomb.yaml", aliasBomb());

    refusedEverywhere(
        graph,
        graph + ":19",
        "alias *c8 takes the graph past 100000 values with its aliases expanded");
  }

  @Test
  void aRecursiveAliasIsOneLineFromEveryCommand() throws IOException {
    Path metadata = write("self.yaml", NODES + "metadata: &m {self: *m}\n");
    Path options =
        write(
            "options.yaml",
            NODES.replace(
                "  - {id: out, type: exit}\n",
                "  - {id: out, type: exit, config: {options: &o {self: *o}}}\n"));

    refusedEverywhere(metadata, metadata + ":9", "alias *m is inside the value it names");
    refusedEverywhere(options, options + ":4", "alias *o is inside the value it names");
  }

  @Test
  void aKeyWrittenTwiceIsAProblemNamingBothLines() throws IOException {
    Path graph =
        write(
            "twice.yaml",
            NODES.replace("to_node: out}", "to_node: out, to_node: out}") + "id: hostile\n");

    Cli.Result result = Cli.run("graph", "validate", graph.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            graph
                + ":6: field 'edges.to_node': the key is written twice on line 6; keep one\n"
                + graph
                + ":9: field 'id': the key is written twice, at lines 1 and 9; keep one\n"
                + "tinyllm: 1 graph file is invalid (2 problems)\n");
  }

  @Test
  void aHugeOrNonUtf8FileIsNamedWithWhatIsWrong() throws IOException {
    Path huge = write("huge.yaml", "#" + "x".repeat(10 << 20) + "\n" + NODES);
    Path latin1 = Files.write(dir.resolve("latin1.yaml"), "id: caf\u00e9\n".getBytes("ISO-8859-1"));

    Cli.Result big = Cli.run("run", "--ollama", Cli.NOWHERE, "--graph", huge.toString(), "hi");
    Cli.Result latin = Cli.run("graph", "validate", latin1.toString());

    assertThat(big.exitCode()).isEqualTo(1);
    assertThat(big.err())
        .contains(
            huge
                + ": field '(file)': the file is "
                + Files.size(huge)
                + " bytes; a graph file may be at most 1048576 bytes (1 MiB)");
    assertThat(latin.exitCode()).isEqualTo(1);
    assertThat(latin.err())
        .startsWith(
            latin1
                + ":1: field '(file)': byte 0xE9 at line 1, column 8 (byte offset 7) is not UTF-8");
  }

  @Test
  void textGrowingWithoutBoundFailsTheNodeWithTheLimit() throws IOException {
    Path graph =
        write(
            "growth.yaml",
            """
            id: growth
            nodes:
              - {id: in, type: entry}
              - {id: grow, type: loop, config: {body: double, max_iterations: 100}}
              - {id: double, type: transform, config: {op: template, template: "{{text}}{{text}}"}}
              - {id: out, type: exit}
            edges:
              - {from_node: in, to_node: grow}
              - {from_node: grow, to_node: out}
            entry_points: [in]
            exit_points: [out]
            """);

    Cli.Result result =
        Cli.run("run", "--ollama", Cli.NOWHERE, "--graph", graph.toString(), "--json", "ab");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
    JsonNode json = CliJson.mapper().readTree(result.out());
    assertThat(json.get("error").asText())
        .isEqualTo(
            "Node 'grow' failed: Node 'double' failed: its text would be more than 1048576"
                + " characters; the limit is 1048576 (setting executor.max-payload-chars)");
    // 2 * 2^19 characters fit; the 20th doubling is refused
    assertThat(json.get("trace").findValuesAsText("node").stream().filter("double"::equals))
        .hasSize(20);
  }

  @Test
  void aGraphJustInsideTheExpansionLimitsExportsBoundedJson() throws IOException {
    // an anchor of 1 900 strings of 40 control characters, 40 lists deep, repeated by
    // 50 aliases: 99 000 values and 3.9 Mi characters once expanded, about the worst for JSON
    StringBuilder yaml = new StringBuilder(NODES).append("metadata:\n  a: &a ");
    yaml.append("[".repeat(40)).append("[");
    for (int i = 0; i < 1900; i++) {
      yaml.append(i == 0 ? "" : ", ").append('"').append("\\x01".repeat(40)).append('"');
    }
    yaml.append("]").append("]".repeat(40)).append("\n  b: [").append("*a, ".repeat(49));
    yaml.append("*a]\n");
    Path graph = write("wide.yaml", yaml.toString());

    Cli.Result result = Cli.run("graph", "export", graph.toString(), "--format", "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    // measured: 23.7 million characters (JSON writes each control character as six)
    assertThat(result.out().length()).isLessThan(32 << 20);
  }
}
