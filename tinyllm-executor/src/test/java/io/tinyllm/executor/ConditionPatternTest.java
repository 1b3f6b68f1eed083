package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code matches} patterns in graph conditions: checked at load, bounded the same way at run. */
class ConditionPatternTest {
  private static final String LOOKAHEAD = "(|)".repeat(80) + "(?!)";

  private static String graph(String edgeCondition, String gateCondition) {
    return """
        id: g
        entry_points: [in]
        exit_points: [out]
        nodes:
          - {id: in, type: entry}
          - id: check
            type: gate
            config: {condition: "%s"}
          - {id: out, type: exit}
          - {id: other, type: exit}
        edges:
          - {from_node: in, to_node: check}
          - from_node: check
            to_node: other
            condition: "%s"
          - {from_node: check, to_node: out}
        """
        .formatted(gateCondition, edgeCondition);
  }

  private static List<String> errors(String yaml) {
    GraphValidationException e =
        catchThrowableOfType(
            GraphValidationException.class, () -> new GraphLoader().parse("bad.yaml", yaml));
    assertThat(e).as("expected validation errors").isNotNull();
    return e.errors().stream().map(ValidationError::toString).toList();
  }

  @Test
  void unsupportedSyntaxFailsTheLoadNamingFileLineNodeAndPattern() {
    String unsupported =
        "' uses unsupported syntax: lookahead `(?!` (patterns use RE2 syntax: no lookaround,"
            + " backreferences, possessive quantifiers or atomic groups)";

    assertThat(errors(graph("text matches '" + LOOKAHEAD + "'", "text matches '(a)\\\\\\\\1'")))
        .containsExactlyInAnyOrder(
            "bad.yaml:8: node 'check' field 'config.condition': Invalid pattern at column 14:"
                + " pattern '(a)\\1' uses unsupported syntax: backreference `\\1` (patterns use"
                + " RE2 syntax: no lookaround, backreferences, possessive quantifiers or atomic"
                + " groups)",
            "bad.yaml:15: node 'check' field 'edges.condition': Invalid pattern at column 14:"
                + " pattern '"
                + LOOKAHEAD
                + unsupported);
  }

  @Test
  void aConditionOnTooLongAnInputFailsTheGraphNamingTheLimit() {
    GraphDefinition g = new GraphLoader().parse("g.yaml", graph("text matches 'b$'", "true"));
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "unused"))) {
      GraphRun ok = f.engine.run(g, "a".repeat(9_999) + "b");
      assertThat(ok.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(ok.trace()).extracting(NodeTrace::node).containsExactly("in", "check", "other");

      GraphRun tooLong = f.engine.run(g, "a".repeat(10_000) + "b");
      assertThat(tooLong.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(tooLong.error())
          .isEqualTo(
              "Condition of edge check -> other failed: input is 10001 characters long; matches"
                  + " takes at most 10000 (truncate the text first)");
      assertThat(f.text("tinyllm_node_errors"))
          .contains(
              "tinyllm_node_errors_total{error_type=\"expression\",graph=\"g\",node=\"check\"}"
                  + " 1.0");
    }
  }
}
