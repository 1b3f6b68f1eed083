package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

class GraphValidationTest {
  private static final String OK_NODES =
      """
      id: v
      entry_points: [in]
      exit_points: [out]
      nodes:
        - id: in
          type: entry
        - id: out
          type: exit
      """;

  private static List<String> errors(String yaml) {
    GraphValidationException e =
        catchThrowableOfType(
            GraphValidationException.class, () -> new GraphLoader().parse("bad.yaml", yaml));
    assertThat(e).as("expected validation errors").isNotNull();
    return e.errors().stream().map(ValidationError::toString).toList();
  }

  @Test
  void examplesAreValid() {
    assertThat(new GraphLoader().loadExample("qa.yaml").nodes()).hasSize(3);
    assertThat(new GraphLoader().loadExample("routed.yaml").entryPoints()).containsExactly("entry");
  }

  @Test
  void unknownNodeType() {
    assertThat(errors(OK_NODES + "  - id: x\n    type: modle\nedges: []\n"))
        .contains(
            "bad.yaml:10: node 'x' field 'type': unknown node type 'modle' (expected one of entry,"
                + " exit, model, router, transform, gate, fanout, loop)");
  }

  @Test
  void danglingEdge() {
    assertThat(errors(OK_NODES + "edges:\n  - from_node: in\n    to_node: nowhere\n"))
        .contains(
            "bad.yaml:10: node 'in' field 'edges.to_node': edge in -> nowhere names no node 'nowhere'");
  }

  @Test
  void missingEntryAndExit() {
    assertThat(errors("id: v\nnodes:\n  - {id: a, type: model}\n"))
        .contains(
            "bad.yaml:1: field 'entry_points': at least one entry node is required",
            "bad.yaml:1: field 'exit_points': at least one exit node is required");
  }

  @Test
  void entryThatIsNotAnEntryNode() {
    assertThat(
            errors(
                "id: v\nentry_points: [m]\nexit_points: [out]\nnodes:\n  - {id: m, type: model}\n"
                    + "  - {id: out, type: exit}\nedges:\n  - {from_node: m, to_node: out}\n"))
        .contains(
            "bad.yaml:2: node 'm' field 'entry_points': node 'm' is a model node, not an entry node");
  }

  @Test
  void cycleWhenNotAllowed() {
    String yaml =
        OK_NODES
            + "  - {id: a, type: transform, config: {op: trim}}\n"
            + "  - {id: b, type: transform, config: {op: trim}}\n"
            + "edges:\n  - {from_node: in, to_node: a}\n  - {from_node: a, to_node: b}\n"
            + "  - {from_node: b, to_node: a}\n  - {from_node: b, to_node: out}\n";
    assertThat(errors(yaml))
        .containsExactly(
            "bad.yaml:9: node 'a' field 'edges': cycle a -> b -> a but allow_cycles is false");
    assertThat(
            new GraphLoader().parse("ok.yaml", yaml.replace("id: v", "id: v\nallow_cycles: true")))
        .isNotNull();
  }

  @Test
  void unreachableNode() {
    assertThat(
            errors(
                OK_NODES
                    + "  - {id: lost, type: transform, config: {op: trim}}\n"
                    + "edges:\n  - {from_node: in, to_node: out}\n"))
        .containsExactly("bad.yaml:9: node 'lost' field 'id': unreachable from the entry points");
  }

  @Test
  void wrongValueTypesAreAllReported() {
    String yaml =
        OK_NODES.replace("exit_points: [out]", "exit_points: [out]\nallow_cycles: maybe")
            + "  - id: m\n"
            + "    type: model\n"
            + "    config:\n"
            + "      retries: lots\n"
            + "      options: {temperature: hot}\n"
            + "edges:\n  - {from_node: in, to_node: m, weight: heavy}\n"
            + "  - {from_node: m, to_node: out, condition: \"route ==\"}\n";
    assertThat(errors(yaml))
        .contains(
            "bad.yaml:4: field 'allow_cycles': expected true or false but found the string 'maybe'",
            "bad.yaml:13: node 'm' field 'config.retries': expected an integer but found the string 'lots'",
            "bad.yaml:14: node 'm' field 'config.options': temperature must be a number",
            "bad.yaml:16: node 'in' field 'edges.weight': expected a number but found the string 'heavy'")
        .anySatisfy(
            e ->
                assertThat(e)
                    .startsWith(
                        "bad.yaml:17: node 'm' field 'edges.condition': Expected a value at column 9"));
  }

  @Test
  void apiAndStreamOfModelAndRouterNodesAreChecked() {
    String yaml =
        OK_NODES
            + "  - id: m\n"
            + "    type: model\n"
            + "    config:\n"
            + "      api: completion\n"
            + "      stream: sometimes\n"
            + "  - id: r\n"
            + "    type: router\n"
            + "    config:\n"
            + "      routes: [a]\n"
            + "      api: [chat]\n"
            + "      stream: 1\n"
            + "edges:\n  - {from_node: in, to_node: m}\n  - {from_node: m, to_node: r}\n"
            + "  - {from_node: r, to_node: out}\n";
    assertThat(errors(yaml))
        .containsExactly(
            "bad.yaml:12: node 'm' field 'config.api': must be one of [generate, chat] but is"
                + " 'completion'",
            "bad.yaml:13: node 'm' field 'config.stream': expected true or false but found the"
                + " string 'sometimes'",
            "bad.yaml:18: node 'r' field 'config.api': expected a string but found a list",
            "bad.yaml:19: node 'r' field 'config.stream': expected true or false but found the"
                + " number 1");
    assertThat(
            new GraphLoader()
                .parse(
                    "ok.yaml",
                    yaml.replace("completion", "chat")
                        .replace("sometimes", "true")
                        .replace("[chat]", "generate")
                        .replace("stream: 1", "stream: false")))
        .isNotNull();
  }

  @Test
  void yamlSyntaxErrorNamesTheLine() {
    assertThat(errors("id: v\nnodes: [\n  - a: b\n"))
        .singleElement()
        .asString()
        .startsWith("bad.yaml:");
  }
}
