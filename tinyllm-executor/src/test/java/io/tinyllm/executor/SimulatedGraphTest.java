package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.error.ErrorType;
import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.SimulatedModel;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Graphs run by the Guice-wired engine against the real Ollama client and the Ollama simulator over
 * loopback HTTP. Canned answers make every model answer known, so the node and graph metrics, the
 * client's request and token metrics and their graph and node labels are asserted exactly, from one
 * scrape of the shared registry.
 *
 * <p>Output token counts follow the simulator's tokenizer: optional leading white space plus a run
 * of letters and digits, or one other character ({@code "I am not sure."} is {@code I}, {@code am},
 * {@code not}, {@code sure}, {@code .}: 5 tokens). They are checked against what the simulator
 * reported in each response, which the run's trace carries.
 */
class SimulatedGraphTest {
  private static final String SMALL = "qwen2.5:0.5b";
  private static final String MEDIUM = "qwen2.5:1.5b";

  @Test
  void routerPicksTheModelsRouteAndTheDefaultWhenTheAnswerIsUnsure() {
    String math = "What is 2+2?";
    String story = "Tell me a story";
    SimulatorConfig.Builder config =
        SimulatorConfig.builder()
            .cannedAnswer(routerPrompt(math), "math")
            .cannedAnswer(math, "4")
            .cannedAnswer(routerPrompt(story), "I am not sure.")
            .cannedAnswer(story, "Once upon a time.");
    try (SimulatorStack s = SimulatorStack.start(config)) {
      GraphDefinition routed = s.loader.loadExample("routed.yaml");

      GraphRun first = s.engine.run(routed, math);
      GraphRun second = s.engine.run(routed, story);

      assertThat(first.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(first.output()).isEqualTo("4");
      assertThat(first.trace())
          .extracting(NodeTrace::node)
          .containsExactly("entry", "classify", "math", "check", "exit");
      assertThat(second.output()).isEqualTo("Once upon a time.");
      assertThat(second.trace())
          .extracting(NodeTrace::node)
          .containsExactly("entry", "classify", "general", "check", "exit");
      assertThat(outputTokens(List.of(first, second)))
          .isEqualTo(Map.of("classify", 1L + 5, "math", 1L, "general", 5L));

      assertNodes(
          s, "routed", "check", 2, "classify", 2, "entry", 2, "exit", 2, "general", 1, "math", 1);
      assertThat(s.samples("tinyllm_node_errors_total")).isEmpty();
      assertGraph(s, "routed", 2, "success", 2);
      assertThat(s.samples("tinyllm_requests_total"))
          .containsExactly(
              "tinyllm_requests_total{graph=\"routed\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 4.0");
      assertThat(s.samples("tinyllm_tokens_output_total"))
          .containsExactly(
              "tinyllm_tokens_output_total{graph=\"routed\",model=\"qwen2.5:0.5b\"} 12.0");
      assertThat(s.samples("tinyllm_tokens_input_total"))
          .containsExactly(
              "tinyllm_tokens_input_total{graph=\"routed\",model=\"qwen2.5:0.5b\"} "
                  + sum(promptTokens(List.of(first, second)))
                  + ".0");
      assertThat(s.samples("tinyllm_node_requests_total"))
          .containsExactlyInAnyOrder(
              nodeRequests("routed", SMALL, "classify", "success", 2),
              nodeRequests("routed", SMALL, "general", "success", 1),
              nodeRequests("routed", SMALL, "math", "success", 1));
      assertNodeTokens(s, "routed", SMALL, List.of(first, second));
      assertThat(s.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(4);
    }
  }

  @Test
  void aGateOpensOnTheAnswerAndAClosedOneFailsOrTakesItsFalseEdge() {
    SimulatorConfig.Builder config =
        SimulatorConfig.builder()
            .cannedAnswer("Is it safe? tea", "Yes, it is.")
            .cannedAnswer("Is it safe? fire", "No.");
    String graph =
        """
        id: %s
        entry_points: [in]
        exit_points: [out%s]
        nodes:
          - {id: in, type: entry}
          - {id: ask, type: model, config: {model: qwen2.5:1.5b, prompt: "Is it safe? {{input}}"}}
          - {id: check, type: gate, config: {condition: "text startsWith 'Yes'"}}
          - {id: out, type: exit}
        %s
        edges:
          - {from_node: in, to_node: ask}
          - {from_node: ask, to_node: check}
          - {from_node: check, to_node: out, condition: gate}
        %s
        """;
    try (SimulatorStack s = SimulatorStack.start(config)) {
      // strict: nothing handles a closed gate; lenient: a closed gate goes to 'refused'
      GraphDefinition strict = s.parse(graph.formatted("strict", "", "", ""));
      GraphDefinition lenient =
          s.parse(
              graph.formatted(
                  "lenient",
                  ", refused",
                  "  - {id: refused, type: exit}",
                  "  - {from_node: check, to_node: refused, condition: '!gate'}"));

      GraphRun open = s.engine.run(strict, "tea");
      GraphRun closed = s.engine.run(strict, "fire");
      GraphRun refused = s.engine.run(lenient, "fire");

      assertThat(open.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(open.output()).isEqualTo("Yes, it is.");
      assertThat(closed.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(closed.error()).isEqualTo("Gate 'check' is closed and no edge handles it");
      assertThat(refused.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(refused.trace())
          .extracting(NodeTrace::node)
          .containsExactly("in", "ask", "check", "refused");
      assertThat(outputTokens(List.of(open, closed))).isEqualTo(Map.of("ask", 5L + 2));

      assertNodes(s, "strict", "ask", 2, "check", 2, "in", 2, "out", 1);
      assertNodes(s, "lenient", "ask", 1, "check", 1, "in", 1, "refused", 1);
      assertThat(s.samples("tinyllm_node_errors_total"))
          .containsExactly(
              "tinyllm_node_errors_total{error_type=\"gate_closed\",graph=\"strict\",node=\"check\"} 1.0");
      assertGraph(s, "strict", 2, "failed", 1, "success", 1);
      assertGraph(s, "lenient", 1, "success", 1);
      assertThat(s.samples("tinyllm_requests_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_requests_total{graph=\"lenient\",model=\"qwen2.5:1.5b\",request_type=\"generate\"} 1.0",
              "tinyllm_requests_total{graph=\"strict\",model=\"qwen2.5:1.5b\",request_type=\"generate\"} 2.0");
      assertThat(s.samples("tinyllm_tokens_output_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_tokens_output_total{graph=\"lenient\",model=\"qwen2.5:1.5b\"} 2.0",
              "tinyllm_tokens_output_total{graph=\"strict\",model=\"qwen2.5:1.5b\"} 7.0");
      assertThat(s.samples("tinyllm_node_requests_total"))
          .containsExactlyInAnyOrder(
              nodeRequests("lenient", MEDIUM, "ask", "success", 1),
              nodeRequests("strict", MEDIUM, "ask", "success", 2));
      assertNodeTokens(s, "strict", MEDIUM, List.of(open, closed));
    }
  }

  @Test
  void fanoutAggregatesAllAndMajorityVoteOverThreeModels() {
    String question = "capital of France?";
    SimulatorConfig.Builder config =
        SimulatorConfig.builder()
            // installed as tiny:latest; the graph names it without a tag
            .model(fast("tiny").build())
            .cannedAnswer("A: " + question, "Paris")
            .cannedAnswer("B: " + question, "Lyon")
            .cannedAnswer("C: " + question, "PARIS");
    try (SimulatorStack s = SimulatorStack.start(config)) {
      GraphRun all = s.engine.run(s.parse(fanout("fan_all", "all")), question);
      GraphRun vote = s.engine.run(s.parse(fanout("fan_vote", "majority_vote")), question);

      assertThat(all.output()).isEqualTo("Paris | Lyon | PARIS");
      assertThat(vote.output()).isEqualTo("Paris");
      for (String graph : List.of("fan_all", "fan_vote")) {
        assertNodes(s, graph, "a", 1, "b", 1, "c", 1, "fan", 1, "in", 1, "out", 1);
        assertGraph(s, graph, 1, "success", 1);
      }
      assertThat(s.samples("tinyllm_node_errors_total")).isEmpty();
      assertThat(s.samples("tinyllm_requests_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_requests_total{graph=\"fan_all\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 1.0",
              "tinyllm_requests_total{graph=\"fan_all\",model=\"qwen2.5:1.5b\",request_type=\"generate\"} 1.0",
              "tinyllm_requests_total{graph=\"fan_all\",model=\"tiny:latest\",request_type=\"generate\"} 1.0",
              "tinyllm_requests_total{graph=\"fan_vote\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 1.0",
              "tinyllm_requests_total{graph=\"fan_vote\",model=\"qwen2.5:1.5b\",request_type=\"generate\"} 1.0",
              "tinyllm_requests_total{graph=\"fan_vote\",model=\"tiny:latest\",request_type=\"generate\"} 1.0");
      // each answer is one token
      assertThat(s.samples("tinyllm_tokens_output_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_tokens_output_total{graph=\"fan_all\",model=\"qwen2.5:0.5b\"} 1.0",
              "tinyllm_tokens_output_total{graph=\"fan_all\",model=\"qwen2.5:1.5b\"} 1.0",
              "tinyllm_tokens_output_total{graph=\"fan_all\",model=\"tiny:latest\"} 1.0",
              "tinyllm_tokens_output_total{graph=\"fan_vote\",model=\"qwen2.5:0.5b\"} 1.0",
              "tinyllm_tokens_output_total{graph=\"fan_vote\",model=\"qwen2.5:1.5b\"} 1.0",
              "tinyllm_tokens_output_total{graph=\"fan_vote\",model=\"tiny:latest\"} 1.0");
      assertThat(outputTokens(List.of(all, vote))).isEqualTo(Map.of("a", 2L, "b", 2L, "c", 2L));
      // each branch's call is counted for the branch node, not for the fanout node
      assertThat(s.samples("tinyllm_node_requests_total"))
          .containsExactlyInAnyOrder(
              nodeRequests("fan_all", SMALL, "a", "success", 1),
              nodeRequests("fan_all", MEDIUM, "b", "success", 1),
              nodeRequests("fan_all", "tiny:latest", "c", "success", 1),
              nodeRequests("fan_vote", SMALL, "a", "success", 1),
              nodeRequests("fan_vote", MEDIUM, "b", "success", 1),
              nodeRequests("fan_vote", "tiny:latest", "c", "success", 1));
      assertThat(s.sim.stats().requestsForModel("tiny:latest")).isEqualTo(2);
    }
  }

  @Test
  void fanoutFirstSuccessTakesTheFasterBranchAndCancelsTheOther() {
    // the winner answers after about 2 s (scaled), long after the loser's request went out (a
    // branch cancelled before it started would leave no execution); the loser would take 6 s
    SimulatorConfig.Builder config =
        SimulatorConfig.builder()
            .model(fast("steady:1b").timeToFirstToken(Duration.ofSeconds(200)).build())
            .model(fast("slowpoke:1b").timeToFirstToken(Duration.ofMinutes(10)).build())
            .cannedAnswer("question", "Paris");
    try (SimulatorStack s = SimulatorStack.start(config)) {
      GraphDefinition graph =
          s.parse(
              """
              id: fan_first
              entry_points: [in]
              exit_points: [out]
              nodes:
                - {id: in, type: entry}
                - {id: fan, type: fanout, config: {aggregation: first_success, branches: [slow, steady]}}
                - {id: slow, type: model, config: {model: "slowpoke:1b", prompt: "{{input}}"}}
                - {id: steady, type: model, config: {model: "steady:1b", prompt: "{{input}}"}}
                - {id: out, type: exit}
              edges:
                - {from_node: in, to_node: fan}
                - {from_node: fan, to_node: out}
              """);

      GraphRun run = s.engine.run(graph, "question");

      assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(run.output()).isEqualTo("Paris");
      // the loser ends on its own thread once interrupted
      s.awaitValue(
          "tinyllm_node_outcomes_total{graph=\"fan_first\",node=\"slow\",outcome=\"cancelled\"}",
          1);
      s.awaitValue(
          "tinyllm_request_outcomes_total{model=\"slowpoke:1b\",outcome=\"cancelled\"}", 1);
      assertNodes(s, "fan_first", "fan", 1, "in", 1, "out", 1, "slow", 1, "steady", 1);
      assertThat(s.samples("tinyllm_node_errors_total"))
          .containsExactly(
              "tinyllm_node_errors_total{error_type=\"cancelled\",graph=\"fan_first\",node=\"slow\"} 1.0");
      assertGraph(s, "fan_first", 1, "success", 1);
      assertThat(s.samples("tinyllm_requests_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_requests_total{graph=\"fan_first\",model=\"slowpoke:1b\",request_type=\"generate\"} 1.0",
              "tinyllm_requests_total{graph=\"fan_first\",model=\"steady:1b\",request_type=\"generate\"} 1.0");
      // a cancelled call is not an error, and reports no tokens
      assertThat(s.samples("tinyllm_errors_total")).isEmpty();
      assertThat(s.samples("tinyllm_tokens_output_total"))
          .containsExactly(
              "tinyllm_tokens_output_total{graph=\"fan_first\",model=\"steady:1b\"} 1.0");
      assertThat(s.samples("tinyllm_node_requests_total"))
          .containsExactlyInAnyOrder(
              nodeRequests("fan_first", "slowpoke:1b", "slow", "cancelled", 1),
              nodeRequests("fan_first", "steady:1b", "steady", "success", 1));
      assertThat(s.samples("tinyllm_active_requests"))
          .allSatisfy(line -> assertThat(line).endsWith(" 0.0"));
      assertThat(s.sim.stats().requestsForModel("slowpoke:1b")).isEqualTo(1);
    }
  }

  @Test
  void aLoopStopsWhenItsConditionHoldsAndNeverRunsMoreThanItsBound() {
    SimulatorConfig.Builder config =
        SimulatorConfig.builder()
            .cannedAnswer("Improve (round 1): draft", "better draft")
            .cannedAnswer("Improve (round 2): better draft", "DONE draft")
            .cannedAnswer("Improve (round 1): idea", "idea one")
            .cannedAnswer("Improve (round 2): idea one", "idea two")
            .cannedAnswer("Improve (round 3): idea two", "idea three");
    try (SimulatorStack s = SimulatorStack.start(config)) {
      GraphDefinition graph =
          s.parse(
              """
              id: looping
              entry_points: [in]
              exit_points: [out]
              nodes:
                - {id: in, type: entry}
                - {id: repeat, type: loop, config: {body: refine, max_iterations: 3, until: "text contains 'DONE'"}}
                - {id: refine, type: model, config: {prompt: "Improve (round {{iteration}}): {{input}}"}}
                - {id: out, type: exit}
              edges:
                - {from_node: in, to_node: repeat}
                - {from_node: repeat, to_node: out}
              """);

      GraphRun stopped = s.engine.run(graph, "draft");
      GraphRun bounded = s.engine.run(graph, "idea");

      assertThat(stopped.output()).isEqualTo("DONE draft");
      assertThat(bounded.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(bounded.output()).isEqualTo("idea three");
      assertThat(stopped.trace()).filteredOn(t -> t.node().equals("refine")).hasSize(2);
      assertThat(bounded.trace()).filteredOn(t -> t.node().equals("refine")).hasSize(3);
      // every answer is two tokens
      assertThat(outputTokens(List.of(stopped, bounded))).isEqualTo(Map.of("refine", 10L));

      assertNodes(s, "looping", "in", 2, "out", 2, "refine", 5, "repeat", 2);
      assertGraph(s, "looping", 2, "success", 2);
      assertThat(s.samples("tinyllm_requests_total"))
          .containsExactly(
              "tinyllm_requests_total{graph=\"looping\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 5.0");
      assertThat(s.samples("tinyllm_tokens_output_total"))
          .containsExactly(
              "tinyllm_tokens_output_total{graph=\"looping\",model=\"qwen2.5:0.5b\"} 10.0");
      assertThat(s.samples("tinyllm_node_requests_total"))
          .containsExactly(nodeRequests("looping", SMALL, "refine", "success", 5));
      assertNodeTokens(s, "looping", SMALL, List.of(stopped, bounded));
    }
  }

  @Test
  void aSlowAnswerWithinTheTimeoutAHungOneBeyondItAndTheGraphDeadline() {
    try (SimulatorStack s = SimulatorStack.start(SimulatorConfig.builder())) {
      String single =
          """
          id: %s
          entry_points: [in]
          exit_points: [out]
          %s
          nodes:
            - {id: in, type: entry}
            - {id: work, type: model, config: %s}
            - {id: out, type: exit}
          edges:
            - {from_node: in, to_node: work}
            - {from_node: work, to_node: out}
          """;
      GraphDefinition slow = s.parse(single.formatted("slow", "", "{}"));
      GraphDefinition deadline = s.parse(single.formatted("deadline", "", "{timeout: 300ms}"));
      GraphDefinition budget =
          s.parse(single.formatted("budget", "metadata: {execution: {timeout: 1s}}", "{}"));

      // 600 ms before the first token: slow, but well within the 30 s node timeout
      s.sim.faults().slowFirstToken(Duration.ofMillis(600), 1);
      GraphRun slowRun = s.engine.run(slow, "hi");
      assertThat(slowRun.status()).isEqualTo(GraphRun.Status.SUCCESS);

      // no answer for 60 s: the node gives up at 300 ms and its call is cancelled
      s.sim.faults().hang(Duration.ofSeconds(60), 1);
      GraphRun deadlineRun = s.engine.run(deadline, "hi");
      assertThat(deadlineRun.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(deadlineRun.error()).isEqualTo("Node 'work' timed out after PT0.3S");
      s.awaitValue(
          "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"cancelled\"}", 1);

      // no answer for 60 s: the graph's 1 s deadline stops the run
      s.sim.faults().hang(Duration.ofSeconds(60), 1);
      GraphRun budgetRun = s.engine.run(budget, "hi");
      assertThat(budgetRun.status()).isEqualTo(GraphRun.Status.TIMEOUT);
      assertThat(budgetRun.error()).isEqualTo("Graph 'budget' timed out after PT1S");
      s.awaitValue(
          "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"cancelled\"}", 2);

      assertNodes(s, "slow", "in", 1, "out", 1, "work", 1);
      assertNodes(s, "deadline", "in", 1, "work", 1);
      assertNodes(s, "budget", "in", 1, "work", 1);
      assertThat(s.samples("tinyllm_node_errors_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_node_errors_total{error_type=\"timeout\",graph=\"budget\",node=\"work\"} 1.0",
              "tinyllm_node_errors_total{error_type=\"timeout\",graph=\"deadline\",node=\"work\"} 1.0");
      assertThat(s.samples("tinyllm_node_outcomes_total"))
          .contains(
              "tinyllm_node_outcomes_total{graph=\"slow\",node=\"work\",outcome=\"success\"} 1.0",
              "tinyllm_node_outcomes_total{graph=\"deadline\",node=\"work\",outcome=\"timeout\"} 1.0",
              "tinyllm_node_outcomes_total{graph=\"budget\",node=\"work\",outcome=\"timeout\"} 1.0");
      // where the latency is known: at least 0.6 s, 0.3 s and 1 s
      assertThat(bucket(s, "tinyllm_node_execution_duration_seconds", "slow", "work", "0.5"))
          .isZero();
      assertThat(bucket(s, "tinyllm_node_execution_duration_seconds", "deadline", "work", "0.25"))
          .isZero();
      assertThat(bucket(s, "tinyllm_node_execution_duration_seconds", "budget", "work", "0.5"))
          .isZero();
      assertThat(
              s.value(
                  "tinyllm_request_latency_seconds_bucket{graph=\"slow\",model=\"qwen2.5:0.5b\",le=\"0.5\"}"))
          .isZero();
      assertThat(
              s.value(
                  "tinyllm_graph_execution_duration_seconds_bucket{graph=\"budget\",le=\"0.5\"}"))
          .isZero();
      assertGraph(s, "slow", 1, "success", 1);
      assertGraph(s, "deadline", 1, "failed", 1);
      assertGraph(s, "budget", 1, "timeout", 1);

      assertThat(s.samples("tinyllm_requests_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_requests_total{graph=\"budget\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 1.0",
              "tinyllm_requests_total{graph=\"deadline\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 1.0",
              "tinyllm_requests_total{graph=\"slow\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 1.0");
      // cancelled calls are neither errors nor latency samples
      assertThat(s.samples("tinyllm_errors_total")).isEmpty();
      assertThat(s.samples("tinyllm_request_latency_seconds_count"))
          .containsExactly(
              "tinyllm_request_latency_seconds_count{graph=\"slow\",model=\"qwen2.5:0.5b\"} 1");
      assertThat(s.samples("tinyllm_tokens_output_total"))
          .containsExactly(
              "tinyllm_tokens_output_total{graph=\"slow\",model=\"qwen2.5:0.5b\"} "
                  + slowRun.outputTokens()
                  + ".0");
      assertThat(s.samples("tinyllm_node_requests_total"))
          .containsExactlyInAnyOrder(
              nodeRequests("budget", SMALL, "work", "cancelled", 1),
              nodeRequests("deadline", SMALL, "work", "cancelled", 1),
              nodeRequests("slow", SMALL, "work", "success", 1));
      assertNodeTokens(s, "slow", SMALL, List.of(slowRun));
    }
  }

  @Test
  void theNodeCircuitBreakerOpensAfterThreeFailuresAndClosesAfterASuccessfulTrial() {
    try (SimulatorStack s = SimulatorStack.start(SimulatorConfig.builder())) {
      AtomicLong clock = new AtomicLong();
      try (GraphEngine engine = s.engineWithClock(clock::get)) {
        GraphDefinition graph =
            s.parse(
                """
                id: fragile
                entry_points: [in]
                exit_points: [out]
                nodes:
                  - {id: in, type: entry}
                  - {id: work, type: model, config: {prompt: "{{input}}"}}
                  - {id: out, type: exit}
                edges:
                  - {from_node: in, to_node: work}
                  - {from_node: work, to_node: out}
                """);
        String state = "tinyllm_node_circuit_breaker_state{graph=\"fragile\",node=\"work\"}";

        // a crashed runner, as Ollama words it: a 500 that counts for the breakers
        s.sim
            .faults()
            .failNext(
                3, 500, "an error was encountered while running the model: model runner crashed");
        for (int i = 0; i < 3; i++) {
          GraphRun failed = engine.run(graph, "hi");
          assertThat(failed.status()).isEqualTo(GraphRun.Status.FAILED);
          assertThat(failed.error())
              .startsWith("Node 'work' failed: ")
              .contains("model runner crashed");
          assertThat(s.value(state)).isEqualTo(i < 2 ? 0 : 2);
        }
        GraphRun rejected = engine.run(graph, "hi");
        // the open breaker names the failure that opened it, and the run its type
        assertThat(rejected.error())
            .startsWith(
                "Circuit breaker of node 'work' in graph 'fragile' is open; last: server_error:"
                    + " Node 'work' failed: ")
            .contains("model runner crashed");
        assertThat(rejected.rootCause()).isEqualTo(ErrorType.SERVER_ERROR);
        assertThat(s.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(3);

        clock.addAndGet(TimeUnit.SECONDS.toNanos(60) + 1); // just past the cooldown
        GraphRun trial = engine.run(graph, "hi");
        assertThat(trial.status()).isEqualTo(GraphRun.Status.SUCCESS);
        assertThat(s.value(state)).isZero();
        assertThat(s.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(4);

        assertNodes(s, "fragile", "in", 5, "out", 1, "work", 5);
        assertThat(s.samples("tinyllm_node_errors_total"))
            .containsExactlyInAnyOrder(
                "tinyllm_node_errors_total{error_type=\"circuit_open\",graph=\"fragile\",node=\"work\"} 1.0",
                "tinyllm_node_errors_total{error_type=\"server_error\",graph=\"fragile\",node=\"work\"} 3.0");
        assertThat(s.samples("tinyllm_node_outcomes_total"))
            .filteredOn(line -> line.contains("node=\"work\""))
            .containsExactlyInAnyOrder(
                "tinyllm_node_outcomes_total{graph=\"fragile\",node=\"work\",outcome=\"circuit_open\"} 1.0",
                "tinyllm_node_outcomes_total{graph=\"fragile\",node=\"work\",outcome=\"error\"} 3.0",
                "tinyllm_node_outcomes_total{graph=\"fragile\",node=\"work\",outcome=\"success\"} 1.0");
        assertGraph(s, "fragile", 5, "failed", 4, "success", 1);
        // the node's breaker refused the fourth call: the client saw four
        assertThat(s.samples("tinyllm_requests_total"))
            .containsExactly(
                "tinyllm_requests_total{graph=\"fragile\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 4.0");
        assertThat(s.samples("tinyllm_errors_total"))
            .containsExactly(
                "tinyllm_errors_total{error_type=\"server_error\",graph=\"fragile\",model=\"qwen2.5:0.5b\"} 3.0");
        // three failures stay below the client's own threshold of five
        assertThat(s.value("tinyllm_circuit_breaker_state{model=\"qwen2.5:0.5b\"}")).isZero();
        assertThat(s.samples("tinyllm_node_requests_total"))
            .containsExactlyInAnyOrder(
                nodeRequests("fragile", SMALL, "work", "error", 3),
                nodeRequests("fragile", SMALL, "work", "success", 1));
        assertThat(s.samples("tinyllm_tokens_output_total"))
            .containsExactly(
                "tinyllm_tokens_output_total{graph=\"fragile\",model=\"qwen2.5:0.5b\"} "
                    + trial.outputTokens()
                    + ".0");
        assertNodeTokens(s, "fragile", SMALL, List.of(trial));
      }
    }
  }

  // ---- graphs

  /** The prompt the router sends when the graph gives none. */
  static String routerPrompt(String input) {
    return NodeHandlers.ROUTER_PROMPT
        .replace("{{routes}}", "math, code, general")
        .replace("{{input}}", input);
  }

  /** A model that loads and answers at once (before the simulator's time scale). */
  static SimulatedModel.Builder fast(String name) {
    return SimulatedModel.completion(name)
        .loadTime(Duration.ZERO)
        .timeToFirstToken(Duration.ofMillis(10))
        .tokensPerSecond(1000);
  }

  private static String fanout(String id, String aggregation) {
    return """
        id: %s
        entry_points: [in]
        exit_points: [out]
        nodes:
          - {id: in, type: entry}
          - {id: fan, type: fanout, config: {aggregation: %s, separator: " | ", branches: [a, b, c]}}
          - {id: a, type: model, config: {model: qwen2.5:0.5b, prompt: "A: {{input}}"}}
          - {id: b, type: model, config: {model: qwen2.5:1.5b, prompt: "B: {{input}}"}}
          - {id: c, type: model, config: {model: tiny, prompt: "C: {{input}}"}}
          - {id: out, type: exit}
        edges:
          - {from_node: in, to_node: fan}
          - {from_node: fan, to_node: out}
        """
        .formatted(id, aggregation);
  }

  // ---- expectations

  /**
   * The node families of {@code graph} hold exactly these nodes with these execution counts ({@code
   * node, count, node, count, ...}): executions, duration samples, and every sample within the 120
   * s bucket (the graph timeout is 60 s).
   */
  static void assertNodes(SimulatorStack s, String graph, Object... nodeCounts) {
    List<String> executions = new ArrayList<>();
    List<String> counts = new ArrayList<>();
    List<String> within = new ArrayList<>();
    for (int i = 0; i < nodeCounts.length; i += 2) {
      String labels = "graph=\"" + graph + "\",node=\"" + nodeCounts[i] + "\"";
      int n = (Integer) nodeCounts[i + 1];
      executions.add("tinyllm_node_executions_total{" + labels + "} " + n + ".0");
      counts.add("tinyllm_node_execution_duration_seconds_count{" + labels + "} " + n);
      within.add(
          "tinyllm_node_execution_duration_seconds_bucket{" + labels + ",le=\"120.0\"} " + n);
    }
    String graphLabel = "{graph=\"" + graph + "\",";
    assertThat(s.samples("tinyllm_node_executions_total"))
        .filteredOn(line -> line.contains(graphLabel))
        .containsExactlyInAnyOrderElementsOf(executions);
    assertThat(s.samples("tinyllm_node_execution_duration_seconds_count"))
        .filteredOn(line -> line.contains(graphLabel))
        .containsExactlyInAnyOrderElementsOf(counts);
    assertThat(s.samples("tinyllm_node_execution_duration_seconds_bucket"))
        .filteredOn(line -> line.contains(graphLabel) && line.contains("le=\"120.0\""))
        .containsExactlyInAnyOrderElementsOf(within);
  }

  /**
   * {@code graph} ran {@code runs} times with these outcomes ({@code outcome, count, ...}): the
   * executions counter, the duration histogram's count and the outcomes counter.
   */
  static void assertGraph(SimulatorStack s, String graph, int runs, Object... outcomeCounts) {
    String labels = "{graph=\"" + graph + "\"}";
    assertThat(s.samples("tinyllm_graph_executions_total"))
        .filteredOn(line -> line.contains(labels))
        .containsExactly("tinyllm_graph_executions_total" + labels + " " + runs + ".0");
    assertThat(s.samples("tinyllm_graph_execution_duration_seconds_count"))
        .filteredOn(line -> line.contains(labels))
        .containsExactly("tinyllm_graph_execution_duration_seconds_count" + labels + " " + runs);
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < outcomeCounts.length; i += 2) {
      outcomes.add(
          "tinyllm_graph_outcomes_total{graph=\""
              + graph
              + "\",outcome=\""
              + outcomeCounts[i]
              + "\"} "
              + outcomeCounts[i + 1]
              + ".0");
    }
    assertThat(s.samples("tinyllm_graph_outcomes_total"))
        .filteredOn(line -> line.contains("{graph=\"" + graph + "\","))
        .containsExactlyInAnyOrderElementsOf(outcomes);
  }

  static String nodeRequests(String graph, String model, String node, String outcome, int n) {
    return "tinyllm_node_requests_total{graph=\"%s\",model=\"%s\",node=\"%s\",outcome=\"%s\"} %d.0"
        .formatted(graph, model, node, outcome, n);
  }

  /**
   * The client's per-node token counters of {@code graph} equal the prompt and output tokens the
   * simulator reported to the model and router nodes of {@code runs}.
   */
  static void assertNodeTokens(SimulatorStack s, String graph, String model, List<GraphRun> runs) {
    List<String> expected = new ArrayList<>();
    promptTokens(runs)
        .forEach((node, n) -> expected.add(nodeTokens(graph, model, node, "input", n)));
    outputTokens(runs)
        .forEach((node, n) -> expected.add(nodeTokens(graph, model, node, "output", n)));
    assertThat(s.samples("tinyllm_node_tokens_total"))
        .filteredOn(line -> line.contains("{graph=\"" + graph + "\","))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  private static String nodeTokens(String graph, String model, String node, String type, long n) {
    return "tinyllm_node_tokens_total{graph=\"%s\",model=\"%s\",node=\"%s\",type=\"%s\"} %d.0"
        .formatted(graph, model, node, type, n);
  }

  /** Output tokens by model or router node, as the simulator reported them in the responses. */
  static Map<String, Long> outputTokens(List<GraphRun> runs) {
    Map<String, Long> tokens = new TreeMap<>();
    for (GraphRun run : runs) {
      for (NodeTrace t : run.trace()) {
        if (callsModel(t)) {
          tokens.merge(t.node(), t.outputTokens(), Long::sum);
        }
      }
    }
    return tokens;
  }

  static Map<String, Long> promptTokens(List<GraphRun> runs) {
    Map<String, Long> tokens = new TreeMap<>();
    for (GraphRun run : runs) {
      for (NodeTrace t : run.trace()) {
        if (callsModel(t)) {
          tokens.merge(t.node(), t.promptTokens(), Long::sum);
        }
      }
    }
    return tokens;
  }

  private static boolean callsModel(NodeTrace t) {
    return (t.type() == NodeType.MODEL || t.type() == NodeType.ROUTER)
        && t.outcome().equals("success");
  }

  static long sum(Map<String, Long> tokens) {
    return tokens.values().stream().mapToLong(Long::longValue).sum();
  }

  private static double bucket(
      SimulatorStack s, String histogram, String graph, String node, String le) {
    return s.value(
        histogram + "_bucket{graph=\"" + graph + "\",node=\"" + node + "\",le=\"" + le + "\"}");
  }
}
