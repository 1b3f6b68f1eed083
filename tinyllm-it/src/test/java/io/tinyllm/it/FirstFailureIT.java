package io.tinyllm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.it.support.Polling;
import io.tinyllm.it.support.PrometheusApi;
import io.tinyllm.it.support.PrometheusProcess;
import io.tinyllm.metrics.MetricsConfig;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.metrics.testing.FreePorts;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.sim.Gate;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (Debian's binary) scrapes an application whose very first call fails, and
 * {@code increase()} sees that failure: the model's error series exist at 0 from the moment the
 * call starts, so the failure is a step from 0 to 1 rather than a series born at 1, which {@code
 * rate()} and {@code increase()} cannot tell from one that was always 1.
 *
 * <p>The call is held at the simulator (a gate before its first token) until Prometheus has scraped
 * the zero series, so the test does not depend on how fast the call fails.
 */
class FirstFailureIT {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final Duration WITHIN = Duration.ofSeconds(60);

  @Test
  void theFirstCallsFailureIsAnIncrease() throws Exception {
    int metricsPort = FreePorts.find();
    try (OllamaSimulator simulator =
            OllamaSimulator.start(SimulatorConfig.builder().timeScale(0).build());
        TinyLlm app =
            TinyLlm.start(
                Settings.of(
                    Map.of(
                        MetricsConfig.EXPORTERS,
                        "http",
                        HttpExporterConfig.PORT,
                        String.valueOf(metricsPort),
                        "ollama.host",
                        simulator.baseUri().toString(),
                        // one attempt: the injected 500 is the call's failure, not a retried one
                        OllamaConfig.RETRY_MAX_ATTEMPTS,
                        "1")));
        PrometheusProcess prometheus =
            PrometheusProcess.start(
                """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: tinyllm
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """
                    .formatted(metricsPort),
                Map.of())) {
      PrometheusApi api = new PrometheusApi(prometheus.url());
      Gate held = simulator.faults().holdBeforeFirstToken(1);
      simulator.faults().midStreamError(0, "model runner has unexpectedly stopped", 1);
      LlmClient client = app.get(LlmClient.class);

      CompletableFuture<Void> firstCall =
          CompletableFuture.runAsync(
              () ->
                  client.generate(GenerateRequest.builder(MODEL, "Why is the sky blue?").build()));
      assertThat(held.awaitHeld(1, WITHIN)).as("the first call is held at the gate").isTrue();
      // Prometheus has stored the model's error series at 0 before the call ends
      Polling.untilAsserted(
          WITHIN,
          () ->
              assertThat(
                      api.query(
                          "sum(tinyllm_errors_total{job=\"tinyllm\", model=\"" + MODEL + "\"})"))
                  .extracting(PrometheusApi.Series::value)
                  .containsExactly("0"));
      held.open();
      assertThatThrownBy(firstCall::join).isInstanceOf(CompletionException.class);

      Polling.untilAsserted(
          WITHIN,
          () -> {
            assertThat(api.query("sum(increase(tinyllm_errors_total{job=\"tinyllm\"}[1m])) > 0"))
                .as("the first call's failure, seen by increase()")
                .hasSize(1);
            assertThat(
                    api.query(
                        "sum by (error_type) (increase(tinyllm_errors_total{job=\"tinyllm\"}[1m]))"
                            + " > 0"))
                .extracting(series -> series.label("error_type"))
                .containsExactly("server_error");
            assertThat(
                    api.query(
                        "sum(increase(tinyllm_request_outcomes_total{job=\"tinyllm\","
                            + " outcome=\"error\"}[1m])) > 0"))
                .hasSize(1);
          });
      assertThat(simulator.stats().requestsForModel(MODEL))
          .as("requests that reached the simulator")
          .isEqualTo(1);
    }
  }
}
