package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.cache.CachingLlmClient;
import io.tinyllm.ollama.OllamaClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The distribution's plug-ins, found by ServiceLoader, in one injector. */
class PluginWiringTest {
  @Test
  void serviceLoaderFindsEveryPluginOfTheDistribution() {
    assertThat(Plugins.discover(getClass().getClassLoader()))
        .extracting(TinyLlmModule::name)
        .containsExactly("cache", "executor", "metrics", "ollama", "queue");
  }

  @Test
  void oneRegistryHoldsTheFamiliesOfEveryPlugin() {
    try (Application app = Application.start(Settings.of(Map.of("ollama.host", "127.0.0.1:1")))) {
      Map<String, String> owners = app.metrics().owners();

      assertThat(owners.get("tinyllm_requests")).isEqualTo("io.tinyllm.ollama.RequestMetrics");
      assertThat(owners.get("tinyllm_graph_executions"))
          .isEqualTo("io.tinyllm.executor.ExecutorMetrics");
      assertThat(owners.get("tinyllm_queue_size"))
          .isEqualTo("io.tinyllm.executor.queue.QueueMetrics");
      assertThat(owners.get("tinyllm_memory_operations"))
          .isEqualTo("io.tinyllm.executor.memory.MemoryMetrics");
      assertThat(owners.get("tinyllm_cache_hits")).isEqualTo("io.tinyllm.cache.CacheMetrics");
      assertThat(owners.get("tinyllm_system")).isEqualTo("io.tinyllm.metrics.SystemInfoMetrics");
      assertThat(app.metrics().scrapeText())
          .contains("plugins=\"cache,executor,metrics,ollama,queue\"");
    }
  }

  @Test
  void theClientIsCachedOnlyWhenTheCacheIsEnabled() {
    try (Application plain = Application.start(Settings.empty());
        Application cached = Application.start(Settings.of(Map.of("cache.enabled", "true")))) {
      assertThat(plain.get(LlmClient.class)).isInstanceOf(OllamaClient.class);
      LlmClient client = cached.get(LlmClient.class);
      assertThat(client).isInstanceOf(CachingLlmClient.class);
      assertThat(((CachingLlmClient) client).delegate()).isInstanceOf(OllamaClient.class);
    }
  }
}
