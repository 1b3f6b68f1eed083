package io.tinyllm.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.metrics.testing.Exposition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

  @Test
  void replacesControlCharactersBeforeTheCapsAlwaysTheSameWay() {
    LabelGuard guard = new LabelGuard(2, 5);

    assertThat(guard.guard("model", "a\rb\tc")).isEqualTo("a_b_c");
    assertThat(guard.guard("model", "a\u0085b\u007fc")).isEqualTo("a_b_c");
    assertThat(guard.guard("model", "a\nb\u0000c")).isEqualTo("a_b_c");
    // the sanitised form is the one admitted: one value so far, so a second distinct one fits
    assertThat(guard.guard("model", "x\u001by")).isEqualTo("x_y");
    assertThat(guard.guard("model", "third")).isEqualTo(LabelGuard.OTHER);
    // printable non-ASCII text is kept
    assertThat(guard.guard("graph", "café")).isEqualTo("café");
    assertThat(guard.guard("graph", "\t\r")).isEqualTo(LabelGuard.UNKNOWN);
  }

  @Test
  void hostileModelNamesStayOneLinePerSampleInBothTextFormats() throws IOException {
    LabelGuard guard = new LabelGuard(10, 40);
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter calls =
        Counter.builder().name("calls_total").help("calls").labelNames("model").register(registry);
    calls.labelValues(guard.guard("model", "llama\r\ncalls_total{model=\"x\"} 99")).inc();
    calls.labelValues(guard.guard("model", "tab\there\u0085")).inc();

    ByteArrayOutputStream prometheus = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(prometheus, registry.scrape(), null);
    ByteArrayOutputStream openMetrics = new ByteArrayOutputStream();
    OpenMetricsTextFormatWriter.create().write(openMetrics, registry.scrape(), null);

    assertThat(prometheus.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            """
            # HELP calls_total calls
            # TYPE calls_total counter
            calls_total{model="llama__calls_total{model=\\"x\\"} 99"} 1.0
            calls_total{model="tab_here_"} 1.0
            """);
    assertThat(openMetrics.toString(StandardCharsets.UTF_8))
        .startsWith(
            """
            # TYPE calls counter
            # HELP calls calls
            calls_total{model="llama__calls_total{model=\\"x\\"} 99"} 1.0
            calls_total{model="tab_here_"} 1.0
            """);
  }
}
