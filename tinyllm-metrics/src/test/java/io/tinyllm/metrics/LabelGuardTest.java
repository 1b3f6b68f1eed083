package io.tinyllm.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.metrics.testing.Exposition;
import org.junit.jupiter.api.Test;

class LabelGuardTest {
  @Test
  void admitsUpToTheCapThenFoldsIntoOtherAndCounts() {
    LabelGuard guard = new LabelGuard(2, 20);

    assertThat(guard.guard("model", "a")).isEqualTo("a");
    assertThat(guard.guard("model", "b")).isEqualTo("b");
    assertThat(guard.guard("model", "a")).isEqualTo("a");
    assertThat(guard.guard("model", "c")).isEqualTo(LabelGuard.OTHER);
    assertThat(guard.guard("model", "d")).isEqualTo(LabelGuard.OTHER);
    // each label name has its own cap
    assertThat(guard.guard("graph", "c")).isEqualTo("c");

    assertThat(guard.foldedCount("model")).isEqualTo(2);
    assertThat(guard.foldedCount("graph")).isZero();
  }

  @Test
  void foldsOverlongValuesAndNamesMissingOnes() {
    LabelGuard guard = new LabelGuard(10, 5);

    assertThat(guard.guard("model", "123456")).isEqualTo(LabelGuard.OTHER);
    assertThat(guard.guard("model", "12345")).isEqualTo("12345");
    assertThat(guard.guard("model", null)).isEqualTo(LabelGuard.UNKNOWN);
    assertThat(guard.guard("model", "  ")).isEqualTo(LabelGuard.UNKNOWN);
    assertThat(guard.foldedCount("model")).isEqualTo(1);
  }

  @Test
  void tenThousandDistinctValuesStayUnderTheCap() {
    LabelGuard guard = new LabelGuard(100, 128);
    int admitted = 0;
    for (int i = 0; i < 10_000; i++) {
      if (!guard.guard("model", "model-" + i).equals(LabelGuard.OTHER)) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(100);
    assertThat(guard.foldedCount("model")).isEqualTo(9_900);
  }

  @Test
  void exposesAdmittedAndFoldedCounts() {
    LabelGuard guard = new LabelGuard(2, 20);
    PrometheusRegistry registry = new PrometheusRegistry();
    guard.collectors().forEach(registry::register);

    guard.guard("model", "a");
    guard.guard("model", "b");
    guard.guard("model", "c");

    assertThat(Exposition.text(registry, "tinyllm_label_values", "tinyllm_label_values_folded"))
        .isEqualTo(
            """
            # HELP tinyllm_label_values Distinct values admitted per label name
            # TYPE tinyllm_label_values gauge
            tinyllm_label_values{label="model"} 2.0
            # HELP tinyllm_label_values_folded_total Label values folded into 'other' because the label had too many distinct values
            # TYPE tinyllm_label_values_folded_total counter
            tinyllm_label_values_folded_total{label="model"} 1.0
            """);
  }

  @Test
  void aLabelsFoldedCountIsAtZeroFromItsFirstValueOn() {
    LabelGuard guard = new LabelGuard(2, 20);
    PrometheusRegistry registry = new PrometheusRegistry();
    guard.collectors().forEach(registry::register);
    assertThat(Exposition.text(registry, "tinyllm_label_values_folded")).isEmpty();

    guard.guard("graph", "qa");

    assertThat(Exposition.text(registry, "tinyllm_label_values_folded"))
        .endsWith("tinyllm_label_values_folded_total{label=\"graph\"} 0.0\n");
  }
}
