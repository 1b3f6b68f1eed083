package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.error.CircuitOpenException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NodeCircuitBreakerStateTest {
  @Test
  void everyTransitionIsReported() {
    AtomicLong clock = new AtomicLong();
    List<String> states = new CopyOnWriteArrayList<>();
    NodeCircuitBreakers breakers =
        new NodeCircuitBreakers(
            2, Duration.ofSeconds(10), clock::get, (g, n, s) -> states.add(g + "/" + n + "=" + s));

    breakers.acquire("g", "n"); // created: closed
    breakers.failed("g", "n");
    breakers.failed("g", "n"); // open
    assertThatThrownBy(() -> breakers.acquire("g", "n")).isInstanceOf(CircuitOpenException.class);
    clock.addAndGet(TimeUnit.SECONDS.toNanos(10));
    breakers.acquire("g", "n"); // half-open trial
    breakers.failed("g", "n"); // open again
    clock.addAndGet(TimeUnit.SECONDS.toNanos(10));
    breakers.acquire("g", "n"); // half-open trial
    breakers.succeeded("g", "n"); // closed
    breakers.succeeded("g", "n"); // already closed: nothing new

    assertThat(states).containsExactly("g/n=0", "g/n=2", "g/n=1", "g/n=2", "g/n=1", "g/n=0");
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
                  tinyllm_node_circuit_breaker_state{graph="g",node="in"} 0.0
                  tinyllm_node_circuit_breaker_state{graph="g",node="out"} 0.0
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
                  tinyllm_node_circuit_breaker_state{graph="g",node="in"} 0.0
                  tinyllm_node_circuit_breaker_state{graph="g",node="out"} 0.0
                  tinyllm_node_circuit_breaker_state{graph="g",node="work"} 2.0
                  """);

      answer.set("ok");
      f.clock.addAndGet(TimeUnit.SECONDS.toNanos(60));
      assertThat(f.engine.run(graph, "hi").status()).isEqualTo(GraphRun.Status.SUCCESS);
      assertThat(f.text("tinyllm_node_circuit_breaker_state"))
          .contains("tinyllm_node_circuit_breaker_state{graph=\"g\",node=\"work\"} 0.0");
    }
  }
}
