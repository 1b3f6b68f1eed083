package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphExecutionTest {
  private final GraphLoader loader = new GraphLoader();

  /** entry -> first (model) -> second (model) -> exit: four steps. */
  private static String graph(String metadata) {
    return """
        id: g
        metadata: %s
        entry_points: [in]
        exit_points: [out]
        nodes:
          - {id: in, type: entry}
          - {id: first, type: model}
          - {id: second, type: model}
          - {id: out, type: exit}
        edges:
          - {from_node: in, to_node: first}
          - {from_node: first, to_node: second}
          - {from_node: second, to_node: out}
        """
        .formatted(metadata);
  }

  private List<String> errors(String metadata) {
    GraphValidationException e =
        catchThrowableOfType(
            GraphValidationException.class, () -> loader.parse("bad.yaml", graph(metadata)));
    assertThat(e).as("expected validation errors").isNotNull();
    return e.errors().stream().map(ValidationError::toString).toList();
  }

  @Test
  void withoutExecutionSettingsTheEngineSettingsApply() {
    GraphDefinition graph = loader.parse("g.yaml", graph("{author: me}"));

    assertThat(GraphExecution.of(graph, ExecutorConfig.defaults(), null))
        .isEqualTo(
            new GraphExecution(
                Duration.ofMinutes(5), 100, FailureMode.FAIL_FAST, new TextLimit(1 << 20)));
  }

  @Test
  void maxStepsOfTheGraphOverridesTheEngines() {
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "ok"))) {
      GraphRun run =
          f.engine.run(loader.parse("g.yaml", graph("{execution: {max_steps: 2}}")), "hi");

      assertThat(run.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(run.error()).isEqualTo("Graph 'g' exceeded 2 steps");
      assertThat(run.steps()).isEqualTo(2);
    }
  }

  @Test
  void failureModeOfTheGraphOverridesTheEngines() {
    ScriptedLlmClient client =
        new ScriptedLlmClient(r -> r.prompt().equals("hi") ? "FAIL" : "unused");
    try (EngineFixture f = new EngineFixture(client)) {
      GraphRun run =
          f.engine.run(
              loader.parse("g.yaml", graph("{execution: {failure_mode: best-effort}}")), "hi");

      assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(run.output()).isEqualTo("hi");
      assertThat(run.trace())
          .extracting(NodeTrace::node, NodeTrace::outcome)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("in", "success"),
              org.assertj.core.groups.Tuple.tuple("first", "error"),
              org.assertj.core.groups.Tuple.tuple("second", "error"),
              org.assertj.core.groups.Tuple.tuple("out", "success"));
    }
  }

  @Test
  void timeoutOfTheGraphOverridesTheEngines() {
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "SLEEP"))) {
      GraphRun run =
          f.engine.run(loader.parse("g.yaml", graph("{execution: {timeout: 200ms}}")), "hi");

      assertThat(run.status()).isEqualTo(GraphRun.Status.TIMEOUT);
      assertThat(run.error()).isEqualTo("Graph 'g' timed out after PT0.2S");
    }
  }

  @Test
  void numbersAreSecondsAndUnknownKeysElsewhereStillLoad() {
    GraphDefinition graph =
        loader.parse(
            "g.yaml",
            graph("{owner: x, execution: {timeout: 1.5, max_steps: 9, failure_mode: fail-fast}}")
                + "python_only_key: {anything: [1, 2]}\n");

    assertThat(GraphExecution.of(graph, ExecutorConfig.defaults(), null))
        .isEqualTo(
            new GraphExecution(
                Duration.ofMillis(1500), 9, FailureMode.FAIL_FAST, new TextLimit(1 << 20)));
  }

  @Test
  void durationsFollowTheGrammarOfSettings() {
    // strings with a fraction or several units were rejected before; numbers stay seconds
    assertThat(timeout("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(timeout("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(timeout("0.0001")).isEqualTo(Duration.ofNanos(100_000));
    assertThat(timeout("1e3")).isEqualTo(Duration.ofSeconds(1000));
    assertThat(timeout("'90'")).isEqualTo(Duration.ofSeconds(90));
    assertThat(errors("{execution: {timeout: -5}}"))
        .containsExactly(
            "bad.yaml:2: field 'metadata.execution.timeout': expected a duration such as 30s or"
                + " 500ms but found the number -5");
  }

  @Test
  void nodeTimeoutsFollowTheGrammarOfSettings() {
    String node =
        graph("{}")
            .replace(
                "{id: first, type: model}", "{id: first, type: model," + " config: {timeout: %s}}");
    GraphDefinition ok = loader.parse("g.yaml", node.formatted("2m30s"));
    assertThat(new NodeConfig(ok.node("first").orElseThrow()).duration("timeout", null))
        .isEqualTo(Duration.ofSeconds(150));
    // a negative number of seconds was taken as a negative timeout before
    GraphValidationException e =
        catchThrowableOfType(
            GraphValidationException.class, () -> loader.parse("bad.yaml", node.formatted("-1")));
    assertThat(e.errors().stream().map(ValidationError::toString))
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("timeout")
                    .contains(
                        "expected a duration such as 30s or 500ms but found the number" + " -1"));
  }

  private Duration timeout(String yaml) {
    GraphDefinition graph = loader.parse("g.yaml", graph("{execution: {timeout: " + yaml + "}}"));
    return GraphExecution.of(graph, ExecutorConfig.defaults(), null).graphTimeout();
  }

  @Test
  void wrongTypesAreReportedWithFileLineAndField() {
    assertThat(
            errors(
                """

                  execution:
                    timeout: soon
                    max_steps: 2.5
                    failure_mode: sometimes
                    retries: 3\
                """))
        .containsExactly(
            "bad.yaml:4: field 'metadata.execution.timeout': expected a duration such as 30s or"
                + " 500ms but found the string 'soon'",
            "bad.yaml:5: field 'metadata.execution.max_steps': expected an integer but found the"
                + " number 2.5",
            "bad.yaml:6: field 'metadata.execution.failure_mode': expected fail-fast or"
                + " best-effort but found the string 'sometimes'",
            "bad.yaml:7: field 'metadata.execution.retries': unknown setting; expected one of"
                + " [timeout, max_steps, failure_mode, max_payload_chars]");
    assertThat(errors("{execution: fast}"))
        .containsExactly(
            "bad.yaml:2: field 'metadata.execution': expected a mapping of [timeout, max_steps,"
                + " failure_mode, max_payload_chars] but found the string 'fast'");
    assertThat(errors("{execution: {max_steps: 0, timeout: 0s}}"))
        .containsExactly(
            "bad.yaml:2: field 'metadata.execution.max_steps': must be from 1 to 100000 but is 0",
            "bad.yaml:2: field 'metadata.execution.timeout': must be more than zero but is 0s");
  }
}
