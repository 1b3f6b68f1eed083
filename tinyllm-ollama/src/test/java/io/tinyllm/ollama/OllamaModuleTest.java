package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OllamaModuleTest {
  /** Every family this module exports, as exposed. */
  static final List<String> FAMILIES =
      List.of(
          "tinyllm_requests_total",
          "tinyllm_request_latency_seconds",
          "tinyllm_active_requests",
          "tinyllm_tokens_input_total",
          "tinyllm_tokens_output_total",
          "tinyllm_model_load_duration_seconds",
          "tinyllm_errors_total",
          "tinyllm_circuit_breaker_state",
          "tinyllm_circuit_breaker_failures_total",
          "tinyllm_rate_limit_wait_seconds",
          "tinyllm_retries_total",
          "tinyllm_circuit_breaker_transitions_total",
          "tinyllm_circuit_breaker_in_state",
          "tinyllm_time_to_first_token_seconds",
          "tinyllm_inter_token_latency_seconds",
          "tinyllm_output_tokens_per_second",
          "tinyllm_ollama_prompt_eval_duration_seconds",
          "tinyllm_ollama_eval_duration_seconds",
          "tinyllm_request_outcomes_total",
          "tinyllm_node_requests_total",
          "tinyllm_node_tokens_total",
          "tinyllm_ollama_models_loaded",
          "tinyllm_ollama_model_vram_bytes",
          "tinyllm_ollama_model_size_bytes",
          "tinyllm_ollama_pull_completed_bytes",
          "tinyllm_ollama_pull_total_bytes");

  @Test
  void serviceLoaderFindsThePlugin() {
    List<TinyLlmModule> plugins = Plugins.discover(OllamaModuleTest.class.getClassLoader());

    assertThat(plugins).anySatisfy(p -> assertThat(p).isInstanceOf(OllamaModule.class));
    assertThat(plugins).extracting(TinyLlmModule::name).contains("ollama");
    Plugins.requirePresent(plugins, List.of("ollama", "metrics"));
  }

  @Test
  void theInjectorWiresTheClientAndScrapesEveryFamily() throws Exception {
    try (OllamaSimulator sim =
        OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build())) {
      Settings settings =
          Settings.of(
              Map.of(
                  OllamaConfig.HOST, sim.baseUri().toString(),
                  OllamaConfig.RETRY_INITIAL_BACKOFF, "1ms",
                  OllamaConfig.BREAKER_FAILURE_THRESHOLD, "1",
                  OllamaConfig.MODEL_LOAD_THRESHOLD, "1ms"));
      Injector injector =
          Guice.createInjector(
              Settings.module(settings),
              Plugins.combine(Plugins.discover(OllamaModuleTest.class.getClassLoader())));
      OllamaClient client = injector.getInstance(OllamaClient.class);
      MetricsCollector collector = injector.getInstance(MetricsCollector.class);

      assertThat(injector.getInstance(LlmClient.class)).isSameAs(client);
      assertThat(client.host()).isEqualTo(sim.baseUri());

      // a cold load, a stream, the inventory
      client
          .generateStream(GenerateRequest.builder("qwen2.5:0.5b", "hi").build(), t -> {})
          .completion()
          .get(10, TimeUnit.SECONDS);
      client.running();
      // a failure retried once, then rejected by the breaker it opened
      sim.faults().failNext(1, 500);
      assertThatThrownBy(
              () -> client.generate(GenerateRequest.builder("qwen2.5:1.5b", "hi").build()))
          .isInstanceOf(CircuitOpenException.class);
      // pull progress exists only while pulling
      List<String> duringPull = new ArrayList<>();
      client.pull(
          "all-minilm",
          p -> {
            if (p.total() > 0 && duringPull.isEmpty()) {
              duringPull.add(collector.scrapeText());
            }
          });

      TreeSet<String> exposed = new TreeSet<>(families(collector.scrapeText()));
      exposed.addAll(families(duringPull.get(0)));
      assertThat(exposed).containsAll(FAMILIES);
      assertThat(collector.owners())
          .containsEntry("tinyllm_requests", RequestMetrics.class.getName())
          .containsEntry("tinyllm_time_to_first_token_seconds", StreamingMetrics.class.getName())
          .containsEntry(
              "tinyllm_model_load_duration_seconds", ServerDurationMetrics.class.getName())
          .containsEntry("tinyllm_circuit_breaker_in_state", ResilienceMetrics.class.getName())
          .containsEntry("tinyllm_ollama_models_loaded", InventoryMetrics.class.getName());
      client.close();
    }
  }

  @Test
  void metricsSwitchedOffLeaveEveryClientFamilyOutAndTheClientWorks() throws Exception {
    try (OllamaSimulator sim =
        OllamaSimulator.start(SimulatorConfig.builder().timeScale(0).build())) {
      Settings settings =
          Settings.of(
              Map.of(
                  OllamaConfig.HOST,
                  sim.baseUri().toString(),
                  OllamaConfig.METRICS_ENABLED,
                  "false"));
      Injector injector =
          Guice.createInjector(
              Settings.module(settings),
              Plugins.combine(Plugins.discover(OllamaModuleTest.class.getClassLoader())));
      OllamaClient client = injector.getInstance(OllamaClient.class);
      MetricsCollector collector = injector.getInstance(MetricsCollector.class);

      assertThat(client.generate(GenerateRequest.builder("qwen2.5:0.5b", "hi").build()).text())
          .isNotEmpty();
      StringBuilder streamed = new StringBuilder();
      client
          .generateStream(GenerateRequest.builder("qwen2.5:0.5b", "hi").build(), streamed::append)
          .completion()
          .get(10, TimeUnit.SECONDS);
      assertThat(streamed).isNotEmpty();
      client.running();

      assertThat(injector.getInstance(OllamaMetrics.class).isEnabled()).isFalse();
      List<String> exposed = families(collector.scrapeText());
      assertThat(exposed).doesNotContainAnyElementsOf(FAMILIES);
      // the other plug-ins' families are still there
      assertThat(exposed).contains("tinyllm_system_info");
      client.close();
    }
  }

  private static List<String> families(String text) {
    List<String> names = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        names.add(line.split(" ")[2]);
      }
    }
    return names;
  }
}
