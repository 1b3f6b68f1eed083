package io.tinyllm.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Names;
import io.tinyllm.api.cache.ResponseCache;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.api.error.PluginException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.MetricsModule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheModuleTest {
  private static final GenerateRequest REQUEST =
      GenerateRequest.builder("m", "2+2?")
          .options(GenerationOptions.builder().temperature(0.0).build())
          .build();

  /** Binds a fake model the way a model plug-in must: raw by name, and as the default client. */
  private static final class FakeModelPlugin extends AbstractModule {
    final FakeLlmClient model = new FakeLlmClient();

    @Override
    protected void configure() {
      bind(LlmClient.class).annotatedWith(Names.named("raw")).toInstance(model);
      OptionalBinder.newOptionalBinder(binder(), LlmClient.class)
          .setDefault()
          .to(Key.get(LlmClient.class, Names.named("raw")));
    }
  }

  private static Injector injector(Map<String, String> settings, AbstractModule... more) {
    List<com.google.inject.Module> modules =
        new java.util.ArrayList<>(
            List.of(
                Settings.module(Settings.of(settings)), new MetricsModule(), new CacheModule()));
    modules.addAll(List.of(more));
    return Guice.createInjector(modules);
  }

  @Test
  void serviceLoaderFindsTheCacheModule() {
    List<TinyLlmModule> plugins = Plugins.discover(getClass().getClassLoader());

    assertThat(plugins).extracting(TinyLlmModule::name).contains("cache", "metrics");
    assertThat(plugins).hasAtLeastOneElementOfType(CacheModule.class);
  }

  @Test
  void theInjectorsClientIsCachedWhenEnabledAndTheFamiliesScrape() {
    FakeModelPlugin plugin = new FakeModelPlugin();
    Injector injector = injector(Map.of("cache.enabled", "true"), plugin);

    LlmClient client = injector.getInstance(LlmClient.class);
    client.generate(REQUEST);
    client.generate(REQUEST);

    assertThat(client).isInstanceOf(CachingLlmClient.class);
    assertThat(((CachingLlmClient) client).delegate()).isSameAs(plugin.model);
    assertThat(injector.getInstance(LlmClient.class)).isSameAs(client);
    assertThat(plugin.model.calls).hasValue(1);
    assertThat(injector.getInstance(ResponseCache.class)).isInstanceOf(CaffeineResponseCache.class);
    String text = injector.getInstance(MetricsCollector.class).scrapeText();
    assertThat(text)
        .contains(
            "tinyllm_cache_hits_total{cache_type=\"memory\"} 1.0",
            "tinyllm_cache_misses_total{cache_type=\"memory\"} 1.0",
            "tinyllm_cache_stores_total{cache_type=\"memory\"} 1.0",
            "tinyllm_cache_entries{cache_type=\"memory\"} 1.0",
            "tinyllm_cache_lookup_duration_seconds_count{cache_type=\"memory\"} 2");
    // families without series yet (errors, evictions, skips) are registered but not exposed
    assertThat(injector.getInstance(MetricsCollector.class).owners())
        .containsEntry("tinyllm_cache_hits", CacheMetrics.class.getName())
        .containsKeys(
            "tinyllm_cache_misses",
            "tinyllm_cache_stores",
            "tinyllm_cache_skips",
            "tinyllm_cache_evictions",
            "tinyllm_cache_errors",
            "tinyllm_cache_lookup_duration_seconds",
            "tinyllm_cache_entries");
  }

  @Test
  void theInjectorsClientIsTheRawOneWhenDisabled() {
    FakeModelPlugin plugin = new FakeModelPlugin();
    Injector injector = injector(Map.of(), plugin);

    assertThat(injector.getInstance(LlmClient.class)).isSameAs(plugin.model);
  }

  @Test
  void withoutTheCachePluginTheModelPluginsDefaultStands() {
    FakeModelPlugin plugin = new FakeModelPlugin();
    Injector injector = Guice.createInjector(new MetricsModule(), plugin);

    assertThat(injector.getInstance(LlmClient.class)).isSameAs(plugin.model);
  }

  @Test
  void theBackendIsChosenByName() {
    Injector injector =
        injector(Map.of("cache.backend", "redis", "cache.redis.uri", "redis://127.0.0.1:1"));

    try (RedisResponseCache cache =
        (RedisResponseCache) injector.getInstance(ResponseCache.class)) {
      assertThat(cache.type()).isEqualTo("redis");
      // nothing listens on port 1: a miss, never an exception
      assertThat(cache.get("k")).isEmpty();
    }
  }

  @Test
  void anUnknownBackendIsAConfigErrorListingTheKnownOnes() {
    Injector injector = injector(Map.of("cache.backend", "memcached"));

    assertThatThrownBy(() -> injector.getInstance(ResponseCache.class))
        .isInstanceOf(ProvisionException.class)
        .rootCause()
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'memcached'")
        .hasMessageContaining("cache.backend")
        .hasMessageContaining("[memory, redis]");
  }

  @Test
  void withoutARawClientAskingForTheClientNamesWhatIsMissing() {
    Injector injector = injector(Map.of("cache.enabled", "true"));

    assertThatThrownBy(() -> injector.getInstance(LlmClient.class))
        .isInstanceOf(ProvisionException.class)
        .rootCause()
        .isInstanceOf(PluginException.class)
        .hasMessageContaining("@Named(\"raw\") LlmClient");
  }

  @Test
  void theFactoryLetsACallerComposeByHand() {
    FakeLlmClient model = new FakeLlmClient();
    Injector injector = injector(Map.of("cache.enabled", "true"));

    LlmClient client = injector.getInstance(CachingLlmClientFactory.class).wrap(model);
    client.generate(REQUEST);
    client.generate(REQUEST);

    assertThat(model.calls).hasValue(1);
  }
}
