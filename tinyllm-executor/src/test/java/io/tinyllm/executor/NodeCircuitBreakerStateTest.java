package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.CircuitOpenException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NodeCircuitBreakerStateTest {
  private static final NodeDefinition MODEL = NodeDefinition.of("n", NodeType.MODEL, Map.of());

  private final AtomicLong clock = new AtomicLong();
  private final List<String> states = new CopyOnWriteArrayList<>();
  private final NodeCircuitBreakers breakers =
      new NodeCircuitBreakers(
          2, Duration.ofSeconds(10), clock::get, (g, n, s) -> states.add(g + "/" + n + "=" + s));

  @Test
  void everyTransitionIsReported() {
    breakers.acquire("g", MODEL); // created: closed
    breakers.failed("g", MODEL);
    breakers.acquire("g", MODEL);
    breakers.failed("g", MODEL); // open
    assertThatThrownBy(() -> breakers.acquire("g", MODEL))
        .isInstanceOf(CircuitOpenException.class)
        .hasMessage("Circuit breaker of node 'n' in graph 'g' is open");
    assertThat(breakers.isOpen("g", "n")).isTrue();
    clock.addAndGet(TimeUnit.SECONDS.toNanos(10) + 1);
    breakers.acquire("g", MODEL); // half-open trial
    breakers.failed("g", MODEL); // open again
    clock.addAndGet(TimeUnit.SECONDS.toNanos(10) + 1);
    breakers.acquire("g", MODEL); // half-open trial
    breakers.succeeded("g", MODEL); // closed
    breakers.acquire("g", MODEL);
    breakers.succeeded("g", MODEL); // already closed: nothing new

    assertThat(states).containsExactly("g/n=0", "g/n=2", "g/n=1", "g/n=2", "g/n=1", "g/n=0");
    assertThat(breakers.isOpen("g", "n")).isFalse();
  }

  @Test
  void opensAfterTheConfiguredConsecutiveFailuresOnly() {
    breakers.acquire("g", MODEL);
    breakers.failed("g", MODEL);
    breakers.acquire("g", MODEL);
    breakers.succeeded("g", MODEL); // a success in between: not consecutive
    breakers.acquire("g", MODEL);
    breakers.failed("g", MODEL);
    assertThat(breakers.isOpen("g", "n")).isFalse();

    breakers.acquire("g", MODEL);
    breakers.failed("g", MODEL);
    assertThat(breakers.isOpen("g", "n")).isTrue();
  }

  @Test
  void staysOpenForTheCooldownThenLetsOneTrialThrough() {
    for (int i = 0; i < 2; i++) {
      breakers.acquire("g", MODEL);
      breakers.failed("g", MODEL);
    }
    clock.addAndGet(TimeUnit.SECONDS.toNanos(10) - 1);
    assertThatThrownBy(() -> breakers.acquire("g", MODEL)).isInstanceOf(CircuitOpenException.class);

    clock.addAndGet(2);
    breakers.acquire("g", MODEL); // the trial
    assertThatThrownBy(() -> breakers.acquire("g", MODEL))
        .as("a second call while the trial runs")
        .isInstanceOf(CircuitOpenException.class);
    breakers.succeeded("g", MODEL);
    breakers.acquire("g", MODEL);
    assertThat(states).containsExactly("g/n=0", "g/n=2", "g/n=1", "g/n=0");
  }

  @Test
  void aTrialThatEndsWithoutAVerdictGivesItsPermissionBack() {
    for (int i = 0; i < 2; i++) {
      breakers.acquire("g", MODEL);
      breakers.failed("g", MODEL);
    }
    clock.addAndGet(TimeUnit.SECONDS.toNanos(11));
    breakers.acquire("g", MODEL);
    breakers.released("g", MODEL); // say, the graph was cancelled

    breakers.acquire("g", MODEL); // another trial, not stuck half-open
    breakers.succeeded("g", MODEL);
    assertThat(states).endsWith("g/n=0");
  }

  @Test
  void localNodesGetNoBreaker() {
    for (NodeType type : NodeType.values()) {
      NodeDefinition node = NodeDefinition.of(type.yamlName(), type, Map.of());
      for (int i = 0; i < 2; i++) {
        breakers.acquire("g", node);
        breakers.failed("g", node);
      }
    }

    assertThat(breakers.size()).as("only the model and the router node").isEqualTo(2);
    assertThat(states).containsExactly("g/model=0", "g/model=2", "g/router=0", "g/router=2");
    assertThat(NodeCircuitBreakers.callsOut(NodeType.ENTRY)).isFalse();
    assertThat(NodeCircuitBreakers.callsOut(NodeType.EXIT)).isFalse();
    assertThat(NodeCircuitBreakers.callsOut(NodeType.TRANSFORM)).isFalse();
    assertThat(NodeCircuitBreakers.callsOut(NodeType.GATE)).isFalse();
    assertThat(NodeCircuitBreakers.callsOut(NodeType.FANOUT)).isFalse();
    assertThat(NodeCircuitBreakers.callsOut(NodeType.LOOP)).isFalse();
    assertThat(NodeCircuitBreakers.callsOut(NodeType.ROUTER)).isTrue();
  }

  @Test
  void thousandsOfGraphIdsShareOneBreakerBeyondTheBound() {
    for (int i = 0; i < 5_000; i++) {
      breakers.acquire("graph-" + i, MODEL);
      breakers.succeeded("graph-" + i, MODEL);
    }
    assertThat(breakers.size()).isEqualTo(NodeCircuitBreakers.MAX_BREAKERS + 1);
    assertThat(states).hasSize(NodeCircuitBreakers.MAX_BREAKERS + 1).endsWith("other/other=0");

    // the late graphs share the breaker: two of their failures open it for all of them
    breakers.acquire("graph-4000", MODEL);
    breakers.failed("graph-4000", MODEL);
    breakers.acquire("graph-4001", MODEL);
    breakers.failed("graph-4001", MODEL);
    assertThatThrownBy(() -> breakers.acquire("graph-4999", MODEL))
        .hasMessage(
            "Circuit breaker of node 'n' in graph 'graph-4999' (shared by the nodes beyond the"
                + " first 256) is open");
    assertThat(breakers.isOpen("graph-123456", "n")).isTrue();
    assertThat(states).endsWith("other/other=2");
    // the first ones keep their own
    breakers.acquire("graph-0", MODEL);
    assertThat(breakers.isOpen("graph-0", "n")).isFalse();
  }

  @Test
  void theGaugeShowsEachNodesBreakerState() {
    AtomicReference<String> answer = new AtomicReference<>("ok");
    try (EngineFixture f = new EngineFixture(new ScriptedLlmClient(r -> answer.get()))) {
      GraphDefinition graph =
          new GraphLoader()
              .parse(
                  "g.yaml",
                  """
                  id: g
                  entry_points: [in]
                  exit_points: [out]
                  nodes:
                    - {id: in, type: entry}
                    - {id: work, type: model}
                    - {id: out, type: exit}
                  edges:
                    - {from_node: in, to_node: work}
                    - {from_node: work, to_node: out}
                  """);
      String help =
          """
          # HELP tinyllm_node_circuit_breaker_state Circuit breaker state per graph node: 0 closed, 1 half-open, 2 open
          # TYPE tinyllm_node_circuit_breaker_state gauge
          """;

      f.engine.run(graph, "hi");
      assertThat(f.text("tinyllm_node_circuit_breaker_state"))
          .isEqualTo(
              help
                  + """
                  tinyllm_node_circuit_breaker_state{graph="g",node="work"} 0.0
                  """);

      answer.set("FAIL");
      for (int i = 0; i < 3; i++) {
        f.engine.run(graph, "hi");
      }
      assertThat(f.text("tinyllm_node_circuit_breaker_state"))
          .isEqualTo(
              help
                  + """
                  tinyllm_node_circuit_breaker_state{graph="g",node="work"} 2.0
                  """);

      answer.set("ok");
      // Resilience4j lets the trial through once the cooldown has passed, not at its last instant
      f.clock.addAndGet(TimeUnit.SECONDS.toNanos(60) + 1);
      assertThat(f.engine.run(graph, "hi").status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(f.text("tinyllm_node_circuit_breaker_state"))
          .contains("tinyllm_node_circuit_breaker_state{graph=\"g\",node=\"work\"} 0.0");
    }
  }
}
