package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.executor.GraphDefinition;
import io.tinyllm.executor.NodeDefinition;
import io.tinyllm.executor.NodeType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in graph asks the configured model ({@code model} in the config file, {@code
 * TINYLLM_MODEL}); a graph file keeps the models it names.
 */
class BuiltInGraphModelTest {
  @TempDir Path dir;

  @Test
  void theBuiltInGraphAsksTheGivenModelAndKeepsTheRestOfItsNode() {
    GraphDefinition plain = QueryRunner.loadGraph(null, "qwen2.5:0.5b");
    GraphDefinition configured = QueryRunner.loadGraph(null, "qwen2.5:1.5b");

    assertThat(QueryRunner.models(configured, "unused")).containsExactly("qwen2.5:1.5b");
    assertThat(QueryRunner.models(QueryRunner.loadGraph("builtin:qa", "llama3.2:1b"), "unused"))
        .containsExactly("llama3.2:1b");
    Map<String, Object> before = answer(plain).config();
    Map<String, Object> after = answer(configured).config();
    assertThat(after).containsEntry("model", "qwen2.5:1.5b");
    assertThat(after).hasSameSizeAs(before);
    assertThat(after.get("system")).isEqualTo(before.get("system"));
    assertThat(after.get("options")).isEqualTo(before.get("options"));
    assertThat(configured.edges()).isEqualTo(plain.edges());
  }

  @Test
  void aGraphFileKeepsTheModelItNamesAndANodeWithoutOneGetsTheDefault() throws Exception {
    Path graph = dir.resolve("own.yaml");
    Files.writeString(
        graph,
        """
        id: own
        nodes:
          - {id: entry, type: entry}
          - {id: ask, type: model, config: {model: "llama3.2:1b"}}
          - {id: again, type: model}
          - {id: exit, type: exit}
        edges:
          - {from_node: entry, to_node: ask}
          - {from_node: ask, to_node: again}
          - {from_node: again, to_node: exit}
        entry_points: [entry]
        exit_points: [exit]
        """);

    GraphDefinition own = QueryRunner.loadGraph(graph.toString(), "qwen2.5:1.5b");

    assertThat(QueryRunner.models(own, "qwen2.5:1.5b"))
        .containsExactly("llama3.2:1b", "qwen2.5:1.5b");
    assertThat(own.node("again").orElseThrow().config()).doesNotContainKey("model");
  }

  private static NodeDefinition answer(GraphDefinition graph) {
    return graph.nodes().stream().filter(n -> n.type() == NodeType.MODEL).findFirst().orElseThrow();
  }
}
