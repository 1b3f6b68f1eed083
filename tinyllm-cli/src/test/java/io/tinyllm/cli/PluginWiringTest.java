package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.cache.CachingLlmClient;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.ollama.OllamaClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The distribution's plug-ins, found by ServiceLoader, in one injector. */
class PluginWiringTest {
  @Test
  void serviceLoaderFindsEveryPluginOfTheDistribution() {
    assertThat(Plugins.discover(getClass().getClassLoader()))
        .extracting(TinyLlmModule::name)
        .containsExactly("cache", "executor", "metrics", "ollama", "proxy", "queue");
  }

  @Test
  void oneRegistryHoldsTheFamiliesOfEveryPlugin() {
    try (TinyLlm app = TinyLlm.start(Settings.of(Map.of("ollama.host", "127.0.0.1:1")))) {
      Map<String, String> owners = app.metrics().owners();

      assertThat(owners.get("tinyllm_requests")).isEqualTo("io.tinyllm.ollama.RequestMetrics");
      assertThat(owners.get("tinyllm_graph_executions"))
          .isEqualTo("io.tinyllm.executor.ExecutorMetrics");
      assertThat(owners.get("tinyllm_queue_size"))
          .isEqualTo("io.tinyllm.executor.queue.QueueMetrics");
      assertThat(owners.get("tinyllm_memory_operations"))
          .isEqualTo("io.tinyllm.executor.memory.MemoryMetrics");
      assertThat(owners.get("tinyllm_cache_hits")).isEqualTo("io.tinyllm.cache.CacheMetrics");
      assertThat(owners.get("tinyllm_proxy_requests")).isEqualTo("io.tinyllm.proxy.ProxyMetrics");
      assertThat(owners.get("tinyllm_system")).isEqualTo("io.tinyllm.metrics.SystemInfoMetrics");
      assertThat(app.metrics().scrapeText())
          .contains("plugins=\"cache,executor,metrics,ollama,proxy,queue\"");
    }
  }

  @Test
  void theClientIsCachedOnlyWhenTheCacheIsEnabled() {
    try (TinyLlm plain = TinyLlm.start(Settings.empty());
        TinyLlm cached = TinyLlm.start(Settings.of(Map.of("cache.enabled", "true")))) {
      assertThat(plain.get(LlmClient.class)).isInstanceOf(OllamaClient.class);
      LlmClient client = cached.get(LlmClient.class);
      assertThat(client).isInstanceOf(CachingLlmClient.class);
      assertThat(((CachingLlmClient) client).delegate()).isInstanceOf(OllamaClient.class);
    }
  }

  @Test
  void aMistypedSettingOfAnyPluginFailsTheInjectorAsTheReadmeBuildsIt() {
    Map<String, String> typos =
        Map.of(
            "ollama.timeout.requst", "ollama.timeout.request",
            "cache.tll", "cache.ttl",
            "queue.worker", "queue.workers",
            "executor.node-timout", "executor.node-timeout",
            "memory.max-turn", "memory.max-turns",
            "metrics.http.prot", "metrics.http.port",
            "proxy.prot", "proxy.port");
    typos.forEach(
        (typo, meant) -> {
          Settings settings = Settings.of(Map.of(typo, "1"));
          Throwable thrown =
              catchThrowable(
                  () ->
                      Guice.createInjector(
                          Settings.module(settings),
                          Plugins.combine(Plugins.discover(getClass().getClassLoader()))));

          assertThat(thrown)
              .isInstanceOf(CreationException.class)
              .hasRootCauseInstanceOf(ConfigException.class)
              .rootCause()
              .hasMessage("Unknown setting '" + typo + "': did you mean '" + meant + "'?");
        });
  }

  @Test
  void theApplicationSurfacesTheUnknownSettingAsItsOwnError() {
    assertThatThrownBy(
            () -> TinyLlm.start(Settings.of(Map.of("ollama.timeout.requst", "30s"))).close())
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Unknown setting 'ollama.timeout.requst': did you mean 'ollama.timeout.request'?");
  }

  @Test
  void settingsOfOtherApplicationsAreLeftAlone() {
    try (TinyLlm app =
        TinyLlm.start(Settings.of(Map.of("myapp.ollama.host", "x", "spring.cache.ttl", "y")))) {
      assertThat(app.get(LlmClient.class)).isInstanceOf(OllamaClient.class);
    }
  }
}
