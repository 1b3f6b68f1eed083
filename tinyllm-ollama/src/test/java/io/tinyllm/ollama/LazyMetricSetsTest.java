package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A client with metrics of its own builds the families of inference calls (requests, streaming,
 * server durations, resilience) only when a call first records to them: a command that manages
 * models never builds them. What is recorded is the same as with every set built up front.
 */
class LazyMetricSetsTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final List<String> COUNTED =
      List.of(
          "tinyllm_requests_total",
          "tinyllm_request_outcomes_total",
          "tinyllm_tokens_input_total",
          "tinyllm_tokens_output_total",
          "tinyllm_ollama_host_requests_total",
          "tinyllm_ollama_models_loaded");

  @Test
  void modelManagementBuildsNoFamilyOfInferenceCalls() throws Exception {
    try (OllamaSimulator sim = OllamaSimulator.start(SimulatorConfig.builder().build())) {
      OllamaConfig config = config(sim);
      OllamaMetrics metrics = new OllamaMetrics(new LabelGuard(100, 128), config);
      try (OllamaClient client = new OllamaClient(config, metrics)) {
        client.list();
        client.show(MODEL);
        client.version();
        assertThat(metrics.callSetsBuilt()).as("built by model management").isFalse();

        client.generate(GenerateRequest.builder(MODEL, "2+2?").build());
        assertThat(metrics.callSetsBuilt()).as("built by a generate").isTrue();
      }
    }
  }

  @Test
  void whatIsRecordedIsTheSameAsWithEverySetBuiltFirst() throws Exception {
    Map<String, String> lazy = recorded(false);
    Map<String, String> early = recorded(true);
    assertThat(lazy.get("tinyllm_requests_total")).contains("request_type=\"generate\"");
    assertThat(lazy).isEqualTo(early);
  }

  /** The counted families' samples after the same calls, the sets registered first or last. */
  private static Map<String, String> recorded(boolean registerFirst) throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    try (OllamaSimulator sim = OllamaSimulator.start(SimulatorConfig.builder().build())) {
      OllamaConfig config = config(sim);
      OllamaMetrics metrics = new OllamaMetrics(new LabelGuard(100, 128), config);
      if (registerFirst) {
        metrics.sets().forEach(set -> set.collectors().forEach(registry::register));
      }
      try (OllamaClient client = new OllamaClient(config, metrics)) {
        client.list();
        client.generate(GenerateRequest.builder(MODEL, "2+2?").build());
        client.running();
      }
      if (!registerFirst) {
        metrics.sets().forEach(set -> set.collectors().forEach(registry::register));
      }
    }
    String text = ClientFixture.scrape(registry);
    Map<String, String> samples = new HashMap<>();
    for (String family : COUNTED) {
      // the host label names the simulator's port, which differs between the two runs
      samples.put(
          family,
          ClientFixture.recorded(ClientFixture.family(text, family))
              .replaceAll("host=\"[^\"]*\"", "host=\"h\""));
    }
    return samples;
  }

  private static OllamaConfig config(OllamaSimulator sim) {
    Map<String, String> all = new HashMap<>(ClientFixture.testDefaults());
    all.put(OllamaConfig.HOST, sim.baseUri().toString());
    return OllamaConfig.from(Settings.of(all), Map.of());
  }
}
