package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.metrics.LabelGuard;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Series whose label values are known in advance exist at 0 from the moment their model is
 * admitted, so {@code rate()} and {@code increase()} see the first event instead of a series that
 * is born at 1.
 */
class ZeroSeriesTest {
  private static final String MODEL = "qwen2.5:0.5b";

  private final OllamaMetrics metrics =
      new OllamaMetrics(new LabelGuard(100, 128), Duration.ofMillis(100));
  private final PrometheusRegistry registry = new PrometheusRegistry();

  ZeroSeriesTest() {
    metrics.sets().forEach(set -> set.collectors().forEach(registry::register));
  }

  @Test
  void nothingExistsBeforeAModelIsAdmitted() {
    String text = ClientFixture.scrape(registry);

    assertThat(ClientFixture.family(text, "tinyllm_errors_total")).isEmpty();
    assertThat(ClientFixture.family(text, "tinyllm_request_outcomes_total")).isEmpty();
  }

  @Test
  void everyErrorTypeAndOutcomeOfAModelIsAtZeroWhenItsFirstCallStarts() {
    metrics.requestStarted(MODEL, RequestType.GENERATE);

    String text = ClientFixture.scrape(registry);
    List<String> errors =
        RequestMetrics.CLIENT_ERRORS.stream()
            .map(
                t ->
                    "tinyllm_errors_total{error_type=\""
                        + t.label()
                        + "\",graph=\"default\",model=\""
                        + MODEL
                        + "\"} 0.0")
            .sorted()
            .toList();
    assertThat(samples(text, "tinyllm_errors_total")).isEqualTo(errors);
    assertThat(samples(text, "tinyllm_request_outcomes_total"))
        .containsExactly(
            "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"cancelled\"} 0.0",
            "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"error\"} 0.0",
            "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"success\"} 0.0");
    assertThat(samples(text, "tinyllm_model_load_duration_seconds"))
        .contains("tinyllm_model_load_duration_seconds_count{model=\"qwen2.5:0.5b\"} 0")
        .contains(
            "tinyllm_model_load_duration_seconds_bucket{model=\"qwen2.5:0.5b\",le=\"+Inf\"} 0");
    assertThat(samples(text, "tinyllm_tokens_output_total"))
        .containsExactly(
            "tinyllm_tokens_output_total{graph=\"default\",model=\"qwen2.5:0.5b\"} 0.0");
  }

  @Test
  void theFirstFailureIsAnIncreaseOfAnExistingSeries() {
    OllamaMetrics.Call call = metrics.requestStarted(MODEL, RequestType.GENERATE);

    call.failed(ErrorType.TIMEOUT);

    List<String> errors = samples(ClientFixture.scrape(registry), "tinyllm_errors_total");
    assertThat(errors).hasSize(RequestMetrics.CLIENT_ERRORS.size());
    assertThat(errors.stream().filter(line -> !line.endsWith(" 0.0")))
        .containsExactly(
            "tinyllm_errors_total{error_type=\"timeout\",graph=\"default\",model=\"qwen2.5:0.5b\"}"
                + " 1.0");
  }

  @Test
  void aNewBreakerExposesItsFailuresAndTransitionsAtZero() {
    metrics.resilience().circuitBreakerCreated(MODEL);

    String text = ClientFixture.scrape(registry);
    assertThat(samples(text, "tinyllm_circuit_breaker_failures_total"))
        .containsExactly("tinyllm_circuit_breaker_failures_total{model=\"qwen2.5:0.5b\"} 0.0");
    assertThat(samples(text, "tinyllm_circuit_breaker_transitions_total"))
        .containsExactly(
            "tinyllm_circuit_breaker_transitions_total{from_state=\"closed\",model=\"qwen2.5:0.5b\",to_state=\"open\"} 0.0",
            "tinyllm_circuit_breaker_transitions_total{from_state=\"half_open\",model=\"qwen2.5:0.5b\",to_state=\"closed\"} 0.0",
            "tinyllm_circuit_breaker_transitions_total{from_state=\"half_open\",model=\"qwen2.5:0.5b\",to_state=\"open\"} 0.0",
            "tinyllm_circuit_breaker_transitions_total{from_state=\"open\",model=\"qwen2.5:0.5b\",to_state=\"half_open\"} 0.0");
  }

  /** Every sample line of the family, zeros included. */
  private static List<String> samples(String text, String name) {
    return ClientFixture.family(text, name)
        .lines()
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }
}
