package io.tinyllm.executor;

import static io.tinyllm.executor.SimulatedGraphTest.assertGraph;
import static io.tinyllm.executor.SimulatedGraphTest.assertNodeTokens;
import static io.tinyllm.executor.SimulatedGraphTest.assertNodes;
import static io.tinyllm.executor.SimulatedGraphTest.nodeRequests;
import static io.tinyllm.executor.SimulatedGraphTest.outputTokens;
import static io.tinyllm.executor.SimulatedGraphTest.promptTokens;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Model and router nodes calling the chat API and streaming ({@code api}, {@code stream}), against
 * the real client and the Ollama simulator, with the client's request, token and time-to-first-
 * token metrics asserted exactly under the graph and node labels.
 */
class SimulatedModelNodeTest {
  private static final String SMALL = "qwen2.5:0.5b";
  private static final String MEDIUM = "qwen2.5:1.5b";

  @Test
  void chatNodesSendTheSystemAndUserMessagesToTheChatApi() {
    SimulatorConfig.Builder config =
        SimulatorConfig.builder()
            .cannedAnswer("Route: Hi there", "greet")
            .cannedAnswer("Hi there", "Hello!");
    try (SimulatorStack s = SimulatorStack.start(config)) {
      GraphDefinition graph =
          s.parse(
              """
              id: chatty
              entry_points: [in]
              exit_points: [out]
              nodes:
                - {id: in, type: entry}
                - {id: pick, type: router, config: {api: chat, routes: [greet, other], default: other, prompt: "Route: {{input}}"}}
                - {id: greet, type: model, config: {api: chat, system: Be brief., prompt: "{{input}}"}}
                - {id: other, type: model, config: {prompt: "{{input}}"}}
                - {id: out, type: exit}
              edges:
                - {from_node: in, to_node: pick}
                - {from_node: pick, to_node: greet, condition: "route == 'greet'"}
                - {from_node: pick, to_node: other}
                - {from_node: greet, to_node: out}
                - {from_node: other, to_node: out}
              """);

      GraphRun run = s.engine.run(graph, "Hi there");

      assertThat(run.output()).isEqualTo("Hello!");
      assertThat(run.trace())
          .extracting(NodeTrace::node)
          .containsExactly("in", "pick", "greet", "out");
      // the simulator counts the prompt rendered in qwen2.5's ChatML form: each turn is
      // "<|im_start|>" role "\n" (3 tokens) + content + "<|im_end|>" "\n" (2), then 3 for
      // "<|im_start|>assistant\n". greet: system "Be brief." (3) and user "Hi there" (2):
      // 8 + 7 + 3; pick has no system, so qwen2.5's default one (20) and "Route: Hi there" (4)
      assertThat(promptTokens(List.of(run))).isEqualTo(Map.of("pick", 20L + 9 + 3, "greet", 18L));
      assertThat(outputTokens(List.of(run))).isEqualTo(Map.of("pick", 1L, "greet", 2L));

      assertNodes(s, "chatty", "greet", 1, "in", 1, "out", 1, "pick", 1);
      assertGraph(s, "chatty", 1, "success", 1);
      assertThat(s.samples("tinyllm_requests_total"))
          .containsExactly(
              "tinyllm_requests_total{graph=\"chatty\",model=\"qwen2.5:0.5b\",request_type=\"chat\"} 2.0");
      assertThat(s.samples("tinyllm_tokens_input_total"))
          .containsExactly(
              "tinyllm_tokens_input_total{graph=\"chatty\",model=\"qwen2.5:0.5b\"} 50.0");
      assertThat(s.samples("tinyllm_tokens_output_total"))
          .containsExactly(
              "tinyllm_tokens_output_total{graph=\"chatty\",model=\"qwen2.5:0.5b\"} 3.0");
      assertThat(s.samples("tinyllm_node_requests_total"))
          .containsExactlyInAnyOrder(
              nodeRequests("chatty", SMALL, "greet", "success", 1),
              nodeRequests("chatty", SMALL, "pick", "success", 1));
      assertNodeTokens(s, "chatty", SMALL, List.of(run));
      assertThat(s.sim.stats().requests(Endpoint.CHAT)).isEqualTo(2);
      assertThat(s.sim.stats().requests(Endpoint.GENERATE)).isZero();
    }
  }

  @Test
  void streamingRouterAndModelNodesStreamGenerateAndChat() {
    SimulatorConfig.Builder config =
        SimulatorConfig.builder()
            .cannedAnswer("Route: Count to three", "count")
            .cannedAnswer("Count to three", "One, two, three.")
            .cannedAnswer("Again: One, two, three.", "Three, two, one.");
    try (SimulatorStack s = SimulatorStack.start(config)) {
      GraphDefinition graph =
          s.parse(
              """
              id: streams
              entry_points: [in]
              exit_points: [out]
              nodes:
                - {id: in, type: entry}
                - {id: pick, type: router, config: {stream: true, routes: [count], prompt: "Route: {{input}}"}}
                - {id: gen, type: model, config: {stream: true, prompt: "{{input}}"}}
                - {id: talk, type: model, config: {api: chat, stream: true, model: "qwen2.5:1.5b", prompt: "Again: {{input}}"}}
                - {id: out, type: exit}
              edges:
                - {from_node: in, to_node: pick}
                - {from_node: pick, to_node: gen, condition: "route == 'count'"}
                - {from_node: gen, to_node: talk}
                - {from_node: talk, to_node: out}
              """);

      GraphRun run = s.engine.run(graph, "Count to three");

      assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(run.output()).isEqualTo("Three, two, one.");
      assertThat(run.trace())
          .extracting(NodeTrace::node)
          .containsExactly("in", "pick", "gen", "talk", "out");
      // "One, two, three." and "Three, two, one." are six tokens each
      assertThat(outputTokens(List.of(run))).isEqualTo(Map.of("pick", 1L, "gen", 6L, "talk", 6L));

      assertNodes(s, "streams", "gen", 1, "in", 1, "out", 1, "pick", 1, "talk", 1);
      assertGraph(s, "streams", 1, "success", 1);
      assertThat(s.samples("tinyllm_requests_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_requests_total{graph=\"streams\",model=\"qwen2.5:0.5b\",request_type=\"generate_stream\"} 2.0",
              "tinyllm_requests_total{graph=\"streams\",model=\"qwen2.5:1.5b\",request_type=\"chat_stream\"} 1.0");
      assertThat(s.samples("tinyllm_time_to_first_token_seconds_count"))
          .containsExactlyInAnyOrder(
              "tinyllm_time_to_first_token_seconds_count{graph=\"streams\",model=\"qwen2.5:0.5b\"} 2",
              "tinyllm_time_to_first_token_seconds_count{graph=\"streams\",model=\"qwen2.5:1.5b\"} 1");
      assertThat(s.samples("tinyllm_tokens_output_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_tokens_output_total{graph=\"streams\",model=\"qwen2.5:0.5b\"} 7.0",
              "tinyllm_tokens_output_total{graph=\"streams\",model=\"qwen2.5:1.5b\"} 6.0");
      assertThat(s.samples("tinyllm_node_requests_total"))
          .containsExactlyInAnyOrder(
              nodeRequests("streams", SMALL, "gen", "success", 1),
              nodeRequests("streams", SMALL, "pick", "success", 1),
              nodeRequests("streams", MEDIUM, "talk", "success", 1));
      assertThat(s.samples("tinyllm_node_tokens_total"))
          .contains(
              "tinyllm_node_tokens_total{graph=\"streams\",model=\"qwen2.5:0.5b\",node=\"gen\",type=\"output\"} 6.0",
              "tinyllm_node_tokens_total{graph=\"streams\",model=\"qwen2.5:0.5b\",node=\"pick\",type=\"output\"} 1.0",
              "tinyllm_node_tokens_total{graph=\"streams\",model=\"qwen2.5:1.5b\",node=\"talk\",type=\"output\"} 6.0");
      assertThat(s.sim.stats().requests(Endpoint.GENERATE)).isEqualTo(2);
      assertThat(s.sim.stats().requests(Endpoint.CHAT)).isEqualTo(1);
    }
  }

  @Test
  void aStreamThatBreaksMidwayIsRetriedByTheNode() {
    SimulatorConfig.Builder config =
        SimulatorConfig.builder().cannedAnswer("Count to three", "One, two, three.");
    try (SimulatorStack s = SimulatorStack.start(config)) {
      GraphDefinition graph =
          s.parse(
              """
              id: broken
              entry_points: [in]
              exit_points: [out]
              nodes:
                - {id: in, type: entry}
                - {id: work, type: model, config: {stream: true, retries: 1}}
                - {id: out, type: exit}
              edges:
                - {from_node: in, to_node: work}
                - {from_node: work, to_node: out}
              """);
      // two tokens, then the error line Ollama sends when its runner crashes
      s.sim.faults().midStreamError(2, "llama runner process has terminated", 1);

      GraphRun run = s.engine.run(graph, "Count to three");

      assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(run.output()).isEqualTo("One, two, three.");
      assertThat(run.trace().get(1).attempts()).isEqualTo(2);
      assertNodes(s, "broken", "in", 1, "out", 1, "work", 1);
      assertThat(s.samples("tinyllm_node_retries_total"))
          .containsExactly("tinyllm_node_retries_total{graph=\"broken\",node=\"work\"} 1.0");
      assertThat(s.samples("tinyllm_node_errors_total")).isEmpty();
      assertThat(s.samples("tinyllm_requests_total"))
          .containsExactly(
              "tinyllm_requests_total{graph=\"broken\",model=\"qwen2.5:0.5b\",request_type=\"generate_stream\"} 2.0");
      assertThat(s.samples("tinyllm_errors_total"))
          .containsExactly(
              "tinyllm_errors_total{error_type=\"stream_error\",graph=\"broken\",model=\"qwen2.5:0.5b\"} 1.0");
      // both streams delivered output before the end
      assertThat(s.samples("tinyllm_time_to_first_token_seconds_count"))
          .containsExactly(
              "tinyllm_time_to_first_token_seconds_count{graph=\"broken\",model=\"qwen2.5:0.5b\"} 2");
      assertThat(s.samples("tinyllm_node_requests_total"))
          .containsExactlyInAnyOrder(
              nodeRequests("broken", SMALL, "work", "error", 1),
              nodeRequests("broken", SMALL, "work", "success", 1));
      assertThat(s.samples("tinyllm_tokens_output_total"))
          .containsExactly(
              "tinyllm_tokens_output_total{graph=\"broken\",model=\"qwen2.5:0.5b\"} 6.0");
    }
  }

  @Test
  void aStreamIsCancelledAtTheNodeTimeoutAndWhenTheGraphIsCancelled() throws Exception {
    try (SimulatorStack s = SimulatorStack.start(SimulatorConfig.builder())) {
      GraphDefinition stalled =
          s.parse(
              """
              id: stalled
              entry_points: [in]
              exit_points: [out]
              nodes:
                - {id: in, type: entry}
                - {id: work, type: model, config: {stream: true, timeout: 300ms}}
                - {id: out, type: exit}
              edges:
                - {from_node: in, to_node: work}
                - {from_node: work, to_node: out}
              """);
      GraphDefinition abandoned =
          s.parse(
              """
              id: abandoned
              entry_points: [in]
              exit_points: [out]
              nodes:
                - {id: in, type: entry}
                - {id: work, type: model, config: {api: chat, stream: true}}
                - {id: out, type: exit}
              edges:
                - {from_node: in, to_node: work}
                - {from_node: work, to_node: out}
              """);
      String cancelled =
          "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"cancelled\"}";

      // the first token would come after 60 s: the node stops waiting at 300 ms
      s.sim.faults().slowFirstToken(Duration.ofSeconds(60), 1);
      GraphRun timedOut = s.engine.run(stalled, "hi");
      assertThat(timedOut.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(timedOut.error()).isEqualTo("Node 'work' timed out after PT0.3S");
      s.awaitValue(cancelled, 1);

      // no answer at all: the caller cancels the graph once the request reached the server
      s.sim.faults().hang(Duration.ofSeconds(60), 1);
      Cancellation cancellation = new Cancellation();
      CompletableFuture<GraphRun> running =
          CompletableFuture.supplyAsync(() -> s.engine.run(abandoned, "hi", cancellation));
      assertThat(s.sim.stats().awaitRequests(Endpoint.CHAT, 1, Await.LIMIT))
          .as("the chat request reached Ollama")
          .isTrue();
      cancellation.cancel();
      GraphRun stopped = running.get(Await.LIMIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(stopped.status()).isEqualTo(GraphRun.Status.CANCELLED);
      s.awaitValue(cancelled, 2);

      assertNodes(s, "stalled", "in", 1, "work", 1);
      assertNodes(s, "abandoned", "in", 1, "work", 1);
      assertThat(s.samples("tinyllm_node_errors_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_node_errors_total{error_type=\"cancelled\",graph=\"abandoned\",node=\"work\"} 1.0",
              "tinyllm_node_errors_total{error_type=\"timeout\",graph=\"stalled\",node=\"work\"} 1.0");
      assertGraph(s, "stalled", 1, "failed", 1);
      assertGraph(s, "abandoned", 1, "cancelled", 1);
      assertThat(s.samples("tinyllm_requests_total"))
          .containsExactlyInAnyOrder(
              "tinyllm_requests_total{graph=\"abandoned\",model=\"qwen2.5:0.5b\",request_type=\"chat_stream\"} 1.0",
              "tinyllm_requests_total{graph=\"stalled\",model=\"qwen2.5:0.5b\",request_type=\"generate_stream\"} 1.0");
      // cancelled streams are not errors, saw no token and hold no request open
      assertThat(s.samples("tinyllm_errors_total")).isEmpty();
      assertThat(s.samples("tinyllm_time_to_first_token_seconds_count")).isEmpty();
      assertThat(s.samples("tinyllm_active_requests"))
          .allSatisfy(line -> assertThat(line).endsWith(" 0.0"));
      assertThat(s.samples("tinyllm_node_requests_total"))
          .containsExactlyInAnyOrder(
              nodeRequests("abandoned", SMALL, "work", "cancelled", 1),
              nodeRequests("stalled", SMALL, "work", "cancelled", 1));
    }
  }
}
