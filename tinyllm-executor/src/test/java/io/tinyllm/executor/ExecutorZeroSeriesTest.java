package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.testing.Exposition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A graph's series exist at 0 from its first run on, so rate() sees the first failure. */
class ExecutorZeroSeriesTest {
  private final ExecutorMetrics metrics = new ExecutorMetrics(new LabelGuard(100, 128));
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final GraphDefinition qa = new GraphLoader().loadExample("qa.yaml");

  ExecutorZeroSeriesTest() {
    metrics.collectors().forEach(registry::register);
  }

  @Test
  void aGraphAboutToRunHasEveryOutcomeAndNodeErrorAtZero() {
    assertThat(Exposition.text(registry, "tinyllm_graph_outcomes")).isEmpty();

    metrics.graphStarting(qa);

    assertThat(samples("tinyllm_graph_outcomes"))
        .containsExactly(
            "tinyllm_graph_outcomes_total{graph=\"qa\",outcome=\"cancelled\"} 0.0",
            "tinyllm_graph_outcomes_total{graph=\"qa\",outcome=\"failed\"} 0.0",
            "tinyllm_graph_outcomes_total{graph=\"qa\",outcome=\"success\"} 0.0",
            "tinyllm_graph_outcomes_total{graph=\"qa\",outcome=\"timeout\"} 0.0");
    List<String> nodeErrors = samples("tinyllm_node_errors");
    assertThat(nodeErrors)
        .hasSize(
            qa.nodes().size()
                * (ExecutorMetrics.NODE_ERRORS.size() + ExecutorMetrics.ROUTING_ERRORS.size()))
        .allMatch(line -> line.endsWith(" 0.0"))
        .contains(
            "tinyllm_node_errors_total{error_type=\"timeout\",graph=\"qa\",node=\"answer\"} 0.0",
            "tinyllm_node_errors_total{error_type=\"no_route\",graph=\"qa\",node=\"answer\"} 0.0");
    assertThat(samples("tinyllm_graph_execution_duration_seconds"))
        .contains("tinyllm_graph_execution_duration_seconds_count{graph=\"qa\"} 0");
  }

  @Test
  void theFirstNodeFailureIsAnIncreaseOfAnExistingSeries() {
    metrics.graphStarting(qa);

    metrics.nodeFailed("qa", "answer", "timeout");

    assertThat(samples("tinyllm_node_errors").stream().filter(l -> !l.endsWith(" 0.0")))
        .containsExactly(
            "tinyllm_node_errors_total{error_type=\"timeout\",graph=\"qa\",node=\"answer\"} 1.0");
  }

  private List<String> samples(String family) {
    return Exposition.text(registry, family).lines().filter(l -> !l.startsWith("#")).toList();
  }
}
