package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.context.ExecutionContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GraphEngineTest {
  private final GraphLoader loader = new GraphLoader();

  @Test
  void qaGraphAnswersInTheRightContextAndRecordsNodeAndGraphMetrics() {
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "4"))) {
      GraphRun run = f.engine.run(loader.loadExample("qa.yaml"), "What is 2+2?");

      assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(run.output()).isEqualTo("4");
      assertThat(run.toResult().output()).isEqualTo("4");
      assertThat(run.trace())
          .extracting(NodeTrace::node)
          .containsExactly("entry", "answer", "exit");
      assertThat(run.promptTokens()).isEqualTo(10);
      assertThat(run.outputTokens()).isEqualTo(5);
      assertThat(f.client.calls)
          .singleElement()
          .satisfies(
              call -> {
                assertThat(call.context()).isEqualTo(new ExecutionContext("qa", "answer"));
                assertThat(call.prompt()).isEqualTo("Question: What is 2+2?\nAnswer:");
                assertThat(call.model()).isEqualTo("qwen2.5:0.5b");
              });
      assertThat(f.text("tinyllm_node_executions", "tinyllm_graph_executions"))
          .isEqualTo(
              """
              # HELP tinyllm_graph_executions_total Graph executions
              # TYPE tinyllm_graph_executions_total counter
              tinyllm_graph_executions_total{graph="qa"} 1.0
              # HELP tinyllm_node_executions_total Node executions by node and graph
              # TYPE tinyllm_node_executions_total counter
              tinyllm_node_executions_total{graph="qa",node="answer"} 1.0
              tinyllm_node_executions_total{graph="qa",node="entry"} 1.0
              tinyllm_node_executions_total{graph="qa",node="exit"} 1.0
              """);
      assertThat(f.text("tinyllm_node_errors")).doesNotContain("tinyllm_node_errors_total{");
      String nodeHistogram = f.text("tinyllm_node_execution_duration_seconds");
      assertThat(bounds(nodeHistogram, "graph=\"qa\",node=\"answer\""))
          .containsExactly(
              "5.0E-4", ".001", ".0025", ".005", ".01", ".05", ".1", ".25", ".5", "1", "2.5", "5",
              "10", "30", "60", "120", "+Inf");
      assertThat(nodeHistogram)
          .contains(
              "tinyllm_node_execution_duration_seconds_bucket{graph=\"qa\",node=\"answer\",le=\"+Inf\"} 1")
          .contains(
              "tinyllm_node_execution_duration_seconds_count{graph=\"qa\",node=\"answer\"} 1");
      String graphHistogram = f.text("tinyllm_graph_execution_duration_seconds");
      assertThat(bounds(graphHistogram, "graph=\"qa\""))
          .containsExactly(
              ".001", ".0025", ".005", ".01", ".025", ".05", ".1", ".5", "1", "2.5", "5", "10",
              "30", "60", "120", "300", "600", "+Inf");
      assertThat(graphHistogram)
          .contains("tinyllm_graph_execution_duration_seconds_count{graph=\"qa\"} 1");
      assertThat(f.text("tinyllm_graph_outcomes"))
          .contains("tinyllm_graph_outcomes_total{graph=\"qa\",outcome=\"success\"} 1.0");
    }
  }

  @Test
  void routerFollowsTheModelsRouteAndFallsBackToTheDefaultWhenUnsure() {
    ScriptedLlmClient client =
        new ScriptedLlmClient(
            r -> {
              if (r.prompt().startsWith("Classify")) {
                return r.prompt().contains("2+2") ? "Math." : "I am not sure";
              }
              return r.model() + " answered";
            });
    try (EngineFixture f = new EngineFixture(client)) {
      GraphDefinition routed = loader.loadExample("routed.yaml");

      GraphRun math = f.engine.run(routed, "What is 2+2?");
      GraphRun other = f.engine.run(routed, "Tell me a story");

      assertThat(math.output()).isEqualTo("qwen2.5:0.5b answered");
      assertThat(math.trace())
          .extracting(NodeTrace::node)
          .containsExactly("entry", "classify", "math", "check", "exit");
      assertThat(other.trace())
          .extracting(NodeTrace::node)
          .containsExactly("entry", "classify", "general", "check", "exit");
      assertThat(client.calls)
          .extracting(ScriptedLlmClient.Call::context)
          .containsExactly(
              new ExecutionContext("routed", "classify"),
              new ExecutionContext("routed", "math"),
              new ExecutionContext("routed", "classify"),
              new ExecutionContext("routed", "general"));
      assertThat(client.calls.get(0).prompt()).contains("routes: math, code, general");
    }
  }

  @Test
  void closedGateTakesItsFalseEdgeOrFailsWhenNoneHandlesIt() {
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "x"))) {
      GraphDefinition graph =
          graph(
              """
              nodes:
                - {id: in, type: entry}
                - {id: long_enough, type: gate, config: {condition: "text.length > 3 || text startsWith 'ok'"}}
                - {id: out, type: exit}
              edges:
                - {from_node: in, to_node: long_enough}
                - {from_node: long_enough, to_node: out}
              """);

      assertThat(f.engine.run(graph, "ok then").output()).isEqualTo("ok then");
      GraphRun closed = f.engine.run(graph, "no");

      assertThat(closed.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(closed.error()).contains("Gate 'long_enough' is closed");
      assertThat(f.text("tinyllm_node_errors"))
          .isEqualTo(
              """
              # HELP tinyllm_node_errors_total Node executions that failed, by error type
              # TYPE tinyllm_node_errors_total counter
              tinyllm_node_errors_total{error_type="gate_closed",graph="g",node="long_enough"} 1.0
              """);
    }
  }

  @Test
  void fanoutAggregatesAllMajorityAndFirstSuccess() throws InterruptedException {
    CountDownLatch slowStarted = new CountDownLatch(1);
    ScriptedLlmClient client =
        new ScriptedLlmClient(
            r -> {
              if (r.model().equals("slow")) {
                slowStarted.countDown();
              }
              return switch (r.model()) {
                case "a" -> "Paris";
                case "b" -> {
                  // first_success: answer once the slow branch is running, so that it is the one
                  // cancelled (a branch that has not started yet is dropped without an execution)
                  Await.until(slowStarted, "the slow branch started");
                  yield "Paris";
                }
                case "c" -> "paris ";
                case "d" -> "Lyon";
                case "slow" -> "SLEEP";
                default -> "FAIL";
              };
            });
    try (EngineFixture f = new EngineFixture(client)) {
      assertThat(f.engine.run(fanout("majority_vote", "a", "d", "c"), "capital?").output())
          .isEqualTo("Paris");
      assertThat(f.engine.run(fanout("all", "a", "d"), "capital?").output())
          .isEqualTo("Paris\nLyon");
      GraphRun first = f.engine.run(fanout("first_success", "slow", "b"), "capital?");
      assertThat(first.output()).isEqualTo("Paris");
      GraphRun allFail = f.engine.run(fanout("all", "a", "bad"), "capital?");
      assertThat(allFail.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(allFail.error()).contains("Branch failed: b_bad");

      // branches ran inside their own node context
      assertThat(client.calls)
          .filteredOn(c -> c.model().equals("d"))
          .extracting(ScriptedLlmClient.Call::context)
          .containsOnly(new ExecutionContext("fan", "b_d"));
      assertThat(f.text("tinyllm_node_errors"))
          .contains(
              "tinyllm_node_errors_total{error_type=\"server_error\",graph=\"fan\",node=\"b_bad\"} 1.0")
          .contains(
              "tinyllm_node_errors_total{error_type=\"branch_failed\",graph=\"fan\",node=\"fan\"} 1.0");
      // the losing branch records its outcome on its own thread once interrupted
      assertThat(f.engine.awaitIdle(Await.LIMIT)).as("the engine's threads went idle").isTrue();
      assertThat(f.text("tinyllm_node_outcomes"))
          .contains(
              "tinyllm_node_outcomes_total{graph=\"fan\",node=\"b_slow\",outcome=\"cancelled\"} 1.0");
    }
  }

  @Test
  void loopRunsItsBodyUntilTheConditionHoldsAndNeverMoreThanTheBound() {
    AtomicInteger count = new AtomicInteger();
    ScriptedLlmClient client =
        new ScriptedLlmClient(
            r -> count.incrementAndGet() >= 2 ? "{\"done\": true}" : "{\"done\": false}");
    try (EngineFixture f = new EngineFixture(client)) {
      GraphRun until = f.engine.run(loop("json.done == true", 5), "start");
      assertThat(until.output()).isEqualTo("{\"done\": true}");
      assertThat(client.calls).hasSize(2);
      assertThat(client.calls.get(0).context())
          .isEqualTo(new ExecutionContext("looping", "refine"));

      count.set(-100);
      GraphRun bounded = f.engine.run(loop("json.done == true", 3), "start");
      assertThat(bounded.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(client.calls).hasSize(5);
      assertThat(f.text("tinyllm_node_executions"))
          .contains("tinyllm_node_executions_total{graph=\"looping\",node=\"refine\"} 5.0")
          .contains("tinyllm_node_executions_total{graph=\"looping\",node=\"repeat\"} 2.0");
    }
  }

  @Test
  void nodeTimeoutFailsTheNodeAndGraphTimeoutStopsTheGraph() {
    try (EngineFixture f =
        new EngineFixture(
            new ScriptedLlmClient(r -> "SLEEP"), Map.of("executor.graph-timeout", "1s"))) {
      GraphRun nodeTimeout = f.engine.run(single("model", "{timeout: 100ms}"), "hi");
      assertThat(nodeTimeout.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(nodeTimeout.error()).contains("timed out after PT0.1S");

      GraphRun graphTimeout = f.engine.run(single("model", "{timeout: 30s}"), "hi");
      assertThat(graphTimeout.status()).isEqualTo(GraphRun.Status.TIMEOUT);

      assertThat(f.text("tinyllm_node_errors"))
          .isEqualTo(
              """
              # HELP tinyllm_node_errors_total Node executions that failed, by error type
              # TYPE tinyllm_node_errors_total counter
              tinyllm_node_errors_total{error_type="timeout",graph="g",node="work"} 2.0
              """);
      assertThat(f.text("tinyllm_graph_outcomes"))
          .isEqualTo(
              """
              # HELP tinyllm_graph_outcomes_total Graph executions by outcome: success, failed, timeout, cancelled
              # TYPE tinyllm_graph_outcomes_total counter
              tinyllm_graph_outcomes_total{graph="g",outcome="failed"} 1.0
              tinyllm_graph_outcomes_total{graph="g",outcome="timeout"} 1.0
              """);
    }
  }

  @Test
  void circuitBreakerOpensAfterThreeFailuresAndRetriesAfterTheCooldown() {
    ScriptedLlmClient client = new ScriptedLlmClient(r -> "FAIL");
    try (EngineFixture f = new EngineFixture(client)) {
      GraphDefinition graph = single("model", "{}");
      for (int i = 0; i < 3; i++) {
        assertThat(f.engine.run(graph, "hi").status()).isEqualTo(GraphRun.Status.FAILED);
      }
      assertThat(f.engine.circuitOpen("g", "work")).isTrue();

      GraphRun rejected = f.engine.run(graph, "hi");
      assertThat(rejected.error()).contains("Circuit breaker of node 'work'");
      assertThat(client.calls).hasSize(3);

      f.clock.addAndGet(TimeUnit.SECONDS.toNanos(59));
      f.engine.run(graph, "hi");
      assertThat(client.calls).hasSize(3);
      f.clock.addAndGet(TimeUnit.SECONDS.toNanos(1) + 1); // just past the 60 s cooldown
      f.engine.run(graph, "hi");
      assertThat(client.calls).hasSize(4);
      assertThat(f.engine.circuitOpen("g", "work")).isTrue();

      assertThat(f.text("tinyllm_node_errors"))
          .isEqualTo(
              """
              # HELP tinyllm_node_errors_total Node executions that failed, by error type
              # TYPE tinyllm_node_errors_total counter
              tinyllm_node_errors_total{error_type="circuit_open",graph="g",node="work"} 2.0
              tinyllm_node_errors_total{error_type="server_error",graph="g",node="work"} 4.0
              """);
    }
  }

  @Test
  void anOpenClientBreakerEndsRetriesAndTheFirstFailureIsReported() {
    AtomicInteger calls = new AtomicInteger();
    ScriptedLlmClient failing =
        new ScriptedLlmClient(r -> calls.incrementAndGet() == 1 ? "FAIL" : "OPEN");
    try (EngineFixture f = new EngineFixture(failing)) {
      GraphRun run = f.engine.run(single("model", "{retries: 5}"), "hi");

      assertThat(run.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(calls).hasValue(2);
      assertThat(run.trace().get(1).attempts()).isEqualTo(2);
      assertThat(run.error())
          .isEqualTo(
              "Node 'work' failed: scripted failure (then the client's circuit breaker for the"
                  + " model opened)");
      assertThat(f.text("tinyllm_node_errors"))
          .contains(
              "tinyllm_node_errors_total{error_type=\"server_error\",graph=\"g\",node=\"work\"} 1.0");
    }
  }

  @Test
  void retriesRecoverAndBestEffortPassesTheInputOn() {
    AtomicInteger calls = new AtomicInteger();
    ScriptedLlmClient flaky =
        new ScriptedLlmClient(r -> calls.incrementAndGet() == 1 ? "FAIL" : "ok");
    try (EngineFixture f = new EngineFixture(flaky)) {
      GraphRun run = f.engine.run(single("model", "{retries: 2}"), "hi");
      assertThat(run.output()).isEqualTo("ok");
      assertThat(run.trace().get(1).attempts()).isEqualTo(2);
      assertThat(f.text("tinyllm_node_retries"))
          .contains("tinyllm_node_retries_total{graph=\"g\",node=\"work\"} 1.0");
    }
    try (EngineFixture f =
        new EngineFixture(
            new ScriptedLlmClient(r -> "FAIL"), Map.of("executor.failure-mode", "best-effort"))) {
      GraphRun run = f.engine.run(single("model", "{}"), "hi");
      assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(run.output()).isEqualTo("hi");
      assertThat(run.trace().get(1).outcome()).isEqualTo("error");
    }
  }

  @Test
  void cancellationInterruptsTheRunningNode() throws Exception {
    CountDownLatch called = new CountDownLatch(1);
    ScriptedLlmClient client =
        new ScriptedLlmClient(
            r -> {
              called.countDown();
              return "SLEEP";
            });
    try (EngineFixture f = new EngineFixture(client)) {
      Cancellation cancellation = new Cancellation();
      Thread canceller =
          new Thread(
              () -> {
                Await.until(called, "the node called the model");
                cancellation.cancel();
              });
      canceller.start();
      GraphRun run = f.engine.run(single("model", "{}"), "hi", cancellation);
      canceller.join(10_000);

      assertThat(run.status()).isEqualTo(GraphRun.Status.CANCELLED);
      assertThat(f.text("tinyllm_graph_outcomes"))
          .contains("tinyllm_graph_outcomes_total{graph=\"g\",outcome=\"cancelled\"} 1.0");
    }
  }

  @Test
  void transformsRewriteTextAndJson() {
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> "unused"))) {
      GraphDefinition graph =
          graph(
              """
              nodes:
                - {id: in, type: entry}
                - {id: pick, type: transform, config: {op: json_extract, path: "answer.items[1]"}}
                - {id: shout, type: transform, config: {op: uppercase}}
                - {id: wrap, type: transform, config: {op: template, template: "{{original_input}} => {{input}} ({{nodes.pick}})"}}
                - {id: out, type: exit}
              edges:
                - {from_node: in, to_node: pick}
                - {from_node: pick, to_node: shout}
                - {from_node: shout, to_node: wrap}
                - {from_node: wrap, to_node: out}
              """);
      String input = "{\"answer\": {\"items\": [\"a\", \"b\"]}}";
      assertThat(f.engine.run(graph, input).output()).isEqualTo(input + " => B (b)");
    }
  }

  private GraphDefinition graph(String body) {
    return loader.parse("g.yaml", "id: g\nentry_points: [in]\nexit_points: [out]\n" + body);
  }

  private GraphDefinition single(String type, String config) {
    return graph(
        """
        nodes:
          - {id: in, type: entry}
          - {id: work, type: %s, config: %s}
          - {id: out, type: exit}
        edges:
          - {from_node: in, to_node: work}
          - {from_node: work, to_node: out}
        """
            .formatted(type, config));
  }

  private GraphDefinition fanout(String aggregation, String... models) {
    StringBuilder yaml =
        new StringBuilder("id: fan\nentry_points: [in]\nexit_points: [out]\nnodes:\n");
    yaml.append("  - {id: in, type: entry}\n  - {id: out, type: exit}\n");
    List<String> branches = java.util.Arrays.stream(models).map(m -> "b_" + m).toList();
    yaml.append("  - {id: fan, type: fanout, config: {aggregation: ")
        .append(aggregation)
        .append(", branches: ")
        .append(branches)
        .append("}}\n");
    for (String m : models) {
      yaml.append("  - {id: b_")
          .append(m)
          .append(", type: model, config: {model: ")
          .append(m)
          .append("}}\n");
    }
    yaml.append("edges:\n  - {from_node: in, to_node: fan}\n  - {from_node: fan, to_node: out}\n");
    return loader.parse("fan.yaml", yaml.toString());
  }

  private GraphDefinition loop(String until, int max) {
    return loader.parse(
        "loop.yaml",
        """
        id: looping
        entry_points: [in]
        exit_points: [out]
        nodes:
          - {id: in, type: entry}
          - {id: repeat, type: loop, config: {body: refine, max_iterations: %d, until: "%s"}}
          - {id: refine, type: model, config: {prompt: "Improve (round {{iteration}}): {{input}}"}}
          - {id: out, type: exit}
        edges:
          - {from_node: in, to_node: repeat}
          - {from_node: repeat, to_node: out}
        """
            .formatted(max, until.replace("\"", "\\\"")));
  }

  private static List<String> bounds(String text, String labels) {
    Matcher m =
        Pattern.compile("_bucket\\{" + Pattern.quote(labels) + ",le=\"([^\"]+)\"}").matcher(text);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1).replaceFirst("^0\\.", ".").replaceFirst("\\.0$", ""));
    }
    return out;
  }
}
