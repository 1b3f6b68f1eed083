package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.llm.ChatMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code api} and {@code stream} settings of model and router nodes, on a scripted client. */
class ModelNodeApiTest {
  private final GraphLoader loader = new GraphLoader();

  private GraphDefinition single(String type, String config) {
    return loader.parse(
        "g.yaml",
        """
        id: g
        entry_points: [in]
        exit_points: [out]
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

  @Test
  void chatSendsTheSystemMessageThenThePromptAsTheUserMessage() {
    ScriptedLlmClient client = new ScriptedLlmClient(r -> "hello " + r.prompt());
    try (EngineFixture f = new EngineFixture(client)) {
      GraphRun run =
          f.engine.run(
              single("model", "{api: chat, system: Be brief., prompt: 'Say hi to {{input}}'}"),
              "Ann");
      GraphRun noSystem = f.engine.run(single("model", "{api: chat}"), "Bob");

      assertThat(run.output()).isEqualTo("hello Say hi to Ann");
      assertThat(noSystem.output()).isEqualTo("hello Bob");
      assertThat(client.calls)
          .extracting(ScriptedLlmClient.Call::api, ScriptedLlmClient.Call::messages)
          .containsExactly(
              tuple(
                  "chat",
                  List.of(ChatMessage.system("Be brief."), ChatMessage.user("Say hi to Ann"))),
              tuple("chat", List.of(ChatMessage.user("Bob"))));
      assertThat(client.calls.get(0).context()).isEqualTo(new ExecutionContext("g", "work"));
      assertThat(run.trace().get(1).outputTokens()).isEqualTo(5);
    }
  }

  @Test
  void generateStaysTheDefaultAndStreamingTakesTheFinalResponse() {
    ScriptedLlmClient client = new ScriptedLlmClient(r -> r.system() + ": " + r.prompt());
    try (EngineFixture f = new EngineFixture(client)) {
      assertThat(f.engine.run(single("model", "{system: S}"), "a").output()).isEqualTo("S: a");
      assertThat(f.engine.run(single("model", "{system: S, stream: true}"), "b").output())
          .isEqualTo("S: b");
      assertThat(
              f.engine.run(single("model", "{api: chat, system: S, stream: true}"), "c").output())
          .isEqualTo("S: c");
      assertThat(
              f.engine
                  .run(single("model", "{api: generate, system: S, stream: false}"), "d")
                  .output())
          .isEqualTo("S: d");

      assertThat(client.calls)
          .extracting(ScriptedLlmClient.Call::api)
          .containsExactly("generate", "generate_stream", "chat_stream", "generate");
      assertThat(client.streams).hasSize(2).noneMatch(s -> s.cancelled);
    }
  }

  @Test
  void aRouterAsksThroughChatAndStreamsToo() {
    ScriptedLlmClient client = new ScriptedLlmClient(r -> "b");
    try (EngineFixture f = new EngineFixture(client)) {
      GraphRun run =
          f.engine.run(
              loader.parse(
                  "r.yaml",
                  """
                  id: r
                  entry_points: [in]
                  exit_points: [out_a, out_b]
                  nodes:
                    - {id: in, type: entry}
                    - {id: pick, type: router, config: {routes: [a, b], api: chat, stream: true}}
                    - {id: out_a, type: exit}
                    - {id: out_b, type: exit}
                  edges:
                    - {from_node: in, to_node: pick}
                    - {from_node: pick, to_node: out_a, condition: "route == 'a'"}
                    - {from_node: pick, to_node: out_b, condition: "route == 'b'"}
                  """),
              "question");

      assertThat(run.trace()).extracting(NodeTrace::node).containsExactly("in", "pick", "out_b");
      assertThat(client.calls)
          .singleElement()
          .extracting(ScriptedLlmClient.Call::api)
          .isEqualTo("chat_stream");
    }
  }

  @Test
  void theNodeTimeoutCancelsAStreamThatNeverEnds() throws Exception {
    ScriptedLlmClient client = new ScriptedLlmClient(r -> "SLEEP");
    try (EngineFixture f = new EngineFixture(client)) {
      GraphRun run = f.engine.run(single("model", "{stream: true, timeout: 100ms}"), "hi");

      assertThat(run.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(run.error()).contains("timed out after PT0.1S");
      awaitCancelled(client);
      assertThat(f.text("tinyllm_node_errors"))
          .contains(
              "tinyllm_node_errors_total{error_type=\"timeout\",graph=\"g\",node=\"work\"} 1.0");
    }
  }

  @Test
  void cancellingTheGraphCancelsTheStream() throws Exception {
    ScriptedLlmClient client = new ScriptedLlmClient(r -> "SLEEP");
    try (EngineFixture f = new EngineFixture(client)) {
      Cancellation cancellation = new Cancellation();
      CompletableFuture<GraphRun> run =
          CompletableFuture.supplyAsync(
              () -> f.engine.run(single("model", "{api: chat, stream: true}"), "hi", cancellation));
      client.awaitStream(1);
      cancellation.cancel();

      assertThat(run.get(30, TimeUnit.SECONDS).status()).isEqualTo(GraphRun.Status.CANCELLED);
      awaitCancelled(client);
    }
  }

  @Test
  void aFailedStreamFailsTheNodeWithTheClientsErrorType() {
    try (EngineFixture f =
        new EngineFixture(
            new ScriptedLlmClient(r -> "FAIL"), Map.of("executor.node-retries", "1"))) {
      GraphRun run = f.engine.run(single("model", "{stream: true}"), "hi");

      assertThat(run.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(run.error()).isEqualTo("Node 'work' failed: scripted stream failure");
      assertThat(run.trace().get(1).attempts()).isEqualTo(2);
      assertThat(f.text("tinyllm_node_errors"))
          .contains(
              "tinyllm_node_errors_total{error_type=\"server_error\",graph=\"g\",node=\"work\"} 1.0");
    }
  }

  private static void awaitCancelled(ScriptedLlmClient client) throws InterruptedException {
    ScriptedLlmClient.Stream stream = client.awaitStream(1);
    // a SLEEP stream ends only by its cancel()
    assertThat(stream.completion())
        .failsWithin(Await.LIMIT)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(CancelledException.class);
    assertThat(stream.cancelled).isTrue();
    assertThat(client.streams).hasSize(1);
  }
}
