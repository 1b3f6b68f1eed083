package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ThreadBoundTest {
  private final GraphLoader loader = new GraphLoader();

  /** A fanout of {@code n} model branches, each a loop of two iterations when {@code loops}. */
  private GraphDefinition fanout(int n, boolean loops, String branchConfig) {
    StringBuilder yaml =
        new StringBuilder(
            """
            id: wide
            entry_points: [in]
            exit_points: [out]
            nodes:
              - {id: in, type: entry}
              - {id: out, type: exit}
            """);
    String branches =
        IntStream.range(0, n).mapToObj(i -> "b" + i).collect(Collectors.joining(", "));
    yaml.append("  - {id: fan, type: fanout, config: {branches: [")
        .append(branches)
        .append("]}}\n");
    for (int i = 0; i < n; i++) {
      if (loops) {
        yaml.append(
            "  - {id: b%d, type: loop, config: {body: m%d, max_iterations: 2}}\n".formatted(i, i));
        yaml.append("  - {id: m%d, type: model, config: {prompt: \"m%d\"}}\n".formatted(i, i));
      } else {
        yaml.append(
            "  - {id: b%d, type: model, config: {prompt: \"b%d\", %s}}\n"
                .formatted(i, i, branchConfig));
      }
    }
    yaml.append(
        """
        edges:
          - {from_node: in, to_node: fan}
          - {from_node: fan, to_node: out}
        """);
    return loader.parse("wide.yaml", yaml.toString());
  }

  @Test
  void maxThreadsSettingDefaultsTo64() {
    assertThat(ExecutorConfig.defaults().maxThreads()).isEqualTo(64);
  }

  @Test
  void aFanoutWiderThanMaxThreadsCompletesOnAtMostMaxThreads() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    ScriptedLlmClient client =
        new ScriptedLlmClient(
            r -> {
              threads.add(Thread.currentThread().getName());
              return r.prompt().toUpperCase(java.util.Locale.ROOT);
            });
    try (EngineFixture f = new EngineFixture(client, Map.of("executor.max-threads", "2"))) {
      GraphRun run = f.engine.run(fanout(10, false, "retries: 0"), "go");

      assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(run.output().lines().sorted().toList())
          .isEqualTo(IntStream.range(0, 10).mapToObj(i -> "B" + i).sorted().toList());
      assertThat(f.engine.largestPoolSize()).isEqualTo(2);
      assertThat(threads).isSubsetOf("tinyllm-graph-1", "tinyllm-graph-2");
    }
  }

  @Test
  void nestedLoopsInAFanoutCompleteWithASingleThread() {
    try (EngineFixture f =
        new EngineFixture(
            new ScriptedLlmClient(r -> r.prompt() + "!"), Map.of("executor.max-threads", "1"))) {
      GraphRun run = f.engine.run(fanout(5, true, ""), "go");

      assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(run.output()).isEqualTo("m0!\nm1!\nm2!\nm3!\nm4!");
      assertThat(f.client.calls).hasSize(10);
      assertThat(f.engine.largestPoolSize()).isEqualTo(1);
    }
  }

  @Test
  void aNodeRunOnItsCallersThreadStillTimesOut() {
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    ScriptedLlmClient client =
        new ScriptedLlmClient(
            r -> {
              threads.add(Thread.currentThread());
              return "SLEEP";
            });
    try (EngineFixture f = new EngineFixture(client, Map.of("executor.max-threads", "1"))) {
      holdTheOnlyThread(f.engine);
      // so every node runs on this thread: the fanout, then its branches one after the other
      GraphRun run = f.engine.run(fanout(2, false, "timeout: 100ms"), "go");

      assertThat(threads).containsExactly(Thread.currentThread());
      assertThat(run.status()).isEqualTo(GraphRun.Status.FAILED);
      assertThat(run.trace())
          .filteredOn(t -> t.node().startsWith("b"))
          .extracting(NodeTrace::outcome, NodeTrace::error)
          .containsExactly(
              tuple("timeout", "Node 'b0' timed out after PT0.1S"),
              tuple("timeout", "Node 'b1' timed out after PT0.1S"));
      assertThat(run.error())
          .isEqualTo("Node 'fan' failed: Branch failed: b0: Node 'b0' timed out after PT0.1S");
    }
  }

  @Test
  void interruptingTheThreadThatRunsANodeCancelsTheGraph() throws Exception {
    CountDownLatch called = new CountDownLatch(1);
    ScriptedLlmClient client =
        new ScriptedLlmClient(
            r -> {
              called.countDown();
              return "SLEEP";
            });
    try (EngineFixture f = new EngineFixture(client, Map.of("executor.max-threads", "1"))) {
      holdTheOnlyThread(f.engine);
      FutureTask<GraphRun> graphRun =
          new FutureTask<>(() -> f.engine.run(fanout(1, false, "retries: 0"), "go"));
      Thread caller = new Thread(graphRun, "graph-caller");
      caller.start();
      assertThat(called.await(Await.LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      // as a fanout interrupts a losing branch that it ran on its own thread
      caller.interrupt();
      GraphRun run = graphRun.get(Await.LIMIT.toSeconds(), TimeUnit.SECONDS);

      // the node ran on the interrupted thread: it was stopped, it did not fail
      assertThat(run.status()).isEqualTo(GraphRun.Status.CANCELLED);
      assertThat(run.trace())
          .extracting(NodeTrace::node, NodeTrace::outcome, NodeTrace::error)
          .containsExactly(
              tuple("in", "success", null),
              tuple("b0", "cancelled", "Graph 'wide' was cancelled"),
              tuple("fan", "cancelled", "Fanout interrupted"));
      assertThat(f.text("tinyllm_node_errors"))
          .doesNotContain("error_type=\"server_error\"")
          .contains(
              "tinyllm_node_errors_total{error_type=\"cancelled\",graph=\"wide\",node=\"b0\"} 1.0");
    }
  }

  /**
   * Gives the engine's only thread a task that ends when the engine closes, so that every node runs
   * on the thread that asks for it. (Whether a thread that just finished a node takes the next one
   * or is still busy is a race, so a test cannot count on getting it.)
   */
  private static void holdTheOnlyThread(GraphEngine engine) {
    CountDownLatch never = new CountDownLatch(1);
    boolean started =
        engine.tryExecute(
            () -> {
              try {
                never.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    assertThat(started).isTrue();
  }
}
