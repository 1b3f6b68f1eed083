package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaMetrics;
import io.tinyllm.ollama.RequestMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyModuleTest {
  @Test
  void serviceLoaderFindsTheProxyModule() {
    List<TinyLlmModule> plugins = Plugins.discover(getClass().getClassLoader());

    assertThat(plugins).extracting(TinyLlmModule::name).contains("proxy", "ollama", "metrics");
    assertThat(plugins).hasAtLeastOneElementOfType(ProxyModule.class);
  }

  @Test
  void theProxyAndTheClientShareOneSetOfEachFamily() {
    try (TinyLlm app = TinyLlm.start(Settings.empty())) {
      ProxyServer proxy = app.get(ProxyServer.class);
      MetricsCollector metrics = app.metrics();

      assertThat(app.get(ProxyServer.class)).isSameAs(proxy);
      assertThat(app.get(OllamaClient.class)).isNotNull();
      assertThat(app.get(OllamaMetrics.class).sets()).contains(app.get(RequestMetrics.class));
      assertThat(metrics.owners())
          .containsEntry("tinyllm_proxy_requests", ProxyMetrics.class.getName())
          .containsEntry("tinyllm_proxy_active_requests", ProxyMetrics.class.getName())
          .containsEntry("tinyllm_proxy_client_disconnects", ProxyMetrics.class.getName())
          .containsEntry("tinyllm_proxy_upstream_failures", ProxyMetrics.class.getName())
          .containsEntry("tinyllm_proxy_connections_refused", ProxyMetrics.class.getName())
          .containsEntry("tinyllm_proxy_backend_up", FleetMetrics.class.getName())
          .containsEntry("tinyllm_proxy_routing_decisions", FleetMetrics.class.getName())
          .containsEntry("tinyllm_requests", RequestMetrics.class.getName());
      assertThat(proxy.upstream().toString()).startsWith("http://");
    }
  }

  @Test
  void theAdmissionQueueIsOffByDefault() {
    assertThat(AdmissionConfig.from(Settings.empty()))
        .isEqualTo(new AdmissionConfig(false, 4, Duration.ofSeconds(60)));
    assertThat(
            AdmissionConfig.from(
                Settings.of(
                    Map.of(
                        "proxy.admission.enabled", "true",
                        "proxy.admission.max-per-backend", "2",
                        "proxy.admission.max-wait", "5s"))))
        .isEqualTo(new AdmissionConfig(true, 2, Duration.ofSeconds(5)));
    try (TinyLlm app = TinyLlm.start(Settings.of(Map.of("proxy.admission.enabled", "true")))) {
      assertThat(app.get(Fleet.class).backends().get(0).admission()).isNotNull();
    }
    try (TinyLlm app = TinyLlm.start(Settings.empty())) {
      assertThat(app.get(Fleet.class).backends().get(0).admission()).isNull();
    }
  }

  @Test
  void theResponseCacheIsOffByDefaultAndReadsEverySetting() {
    assertThat(ProxyCacheConfig.defaults())
        .isEqualTo(
            new ProxyCacheConfig(
                false, "memory", Duration.ofHours(1), 10_000, 64 * 1024 * 1024, 1024 * 1024));
    assertThat(
            ProxyCacheConfig.from(
                Settings.of(
                    Map.of(
                        "proxy.cache.enabled", "true",
                        "proxy.cache.backend", "redis",
                        "proxy.cache.ttl", "5m",
                        "proxy.cache.max-entries", "100",
                        "proxy.cache.max-bytes", "1048576",
                        "proxy.cache.max-entry-bytes", "65536"))))
        .isEqualTo(new ProxyCacheConfig(true, "redis", Duration.ofMinutes(5), 100, 1048576, 65536));
    assertThatThrownBy(
            () -> ProxyCacheConfig.from(Settings.of(Map.of("proxy.cache.backend", "disk"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value 'disk' for setting 'proxy.cache.backend': expected [memory, redis]");
    assertThatThrownBy(
            () ->
                ProxyCacheConfig.from(
                    Settings.of(
                        Map.of(
                            "proxy.cache.max-bytes", "2048",
                            "proxy.cache.max-entry-bytes", "4096"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'proxy.cache.max-entry-bytes' (4096) must not exceed");
    try (TinyLlm app = TinyLlm.start(Settings.empty())) {
      assertThat(app.get(ProxyCache.class).enabled()).isFalse();
    }
    try (TinyLlm app = TinyLlm.start(Settings.of(Map.of("proxy.cache.enabled", "true")))) {
      assertThat(app.get(ProxyCache.class).enabled()).isTrue();
      assertThat(app.metrics().scrapeText())
          .contains("tinyllm_cache_hits_total{cache_type=\"proxy_memory\"} 0.0");
    }
  }

  @Test
  void backendsAreNamedByTheConfigurationOnly() {
    assertThat(Backend.parse("gpu-1=http://10.0.0.1:11434").name()).isEqualTo("gpu-1");
    assertThat(Backend.parse("http://10.0.0.2:8080").name()).isEqualTo("10.0.0.2:8080");
    assertThatThrownBy(() -> Backend.parse("http://user:secret@10.0.0.2:8080"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.upstreams")
        .hasMessageNotContaining("secret");
    assertThat(Backend.parse("10.0.0.3").name()).isEqualTo("10.0.0.3:11434");
    assertThatThrownBy(() -> Backend.parse("gpu 1=http://10.0.0.1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Invalid backend name 'gpu 1'");
    try (TinyLlm app =
        TinyLlm.start(Settings.of(Map.of("proxy.upstreams", "10.0.0.1,10.0.0.1:11434")))) {
      assertThatThrownBy(() -> app.get(Fleet.class))
          .hasMessageContaining("names backend '10.0.0.1:11434' twice");
    }
  }

  @Test
  void anUnknownProxySettingIsRejectedWithItsName() {
    assertThatThrownBy(() -> TinyLlm.start(Settings.of(Map.of("proxy.prot", "8080"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.prot");
  }

  @Test
  void theDefaultsAndEverySetting() {
    assertThat(ProxyConfig.defaults())
        .isEqualTo(new ProxyConfig("127.0.0.1", 11435, 256, Duration.ofSeconds(30)));
    assertThat(FleetConfig.defaults())
        .isEqualTo(
            new FleetConfig(
                List.of(),
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                3,
                2,
                10_000,
                Duration.ofMinutes(30),
                false,
                5,
                Duration.ofSeconds(30)));
    assertThat(
            ProxyConfig.from(
                Settings.of(
                    Map.of(
                        "proxy.host", "0.0.0.0",
                        "proxy.port", "8080",
                        "proxy.max-concurrent", "16",
                        "proxy.keep-alive-timeout", "5s"))))
        .isEqualTo(new ProxyConfig("0.0.0.0", 8080, 16, Duration.ofSeconds(5)));
    assertThat(
            FleetConfig.from(
                Settings.of(
                    Map.of(
                        "proxy.upstreams", "gpu-1=http://10.0.0.1:11434, 10.0.0.2",
                        "proxy.health.interval", "2s",
                        "proxy.health.timeout", "1s",
                        "proxy.health.eject-after", "5",
                        "proxy.health.readmit-after", "4",
                        "proxy.affinity.max-entries", "100",
                        "proxy.affinity.ttl", "5m",
                        "proxy.circuit-breaker.enabled", "true",
                        "proxy.circuit-breaker.failure-threshold", "2",
                        "proxy.circuit-breaker.open-duration", "1m"))))
        .isEqualTo(
            new FleetConfig(
                List.of("gpu-1=http://10.0.0.1:11434", "10.0.0.2"),
                Duration.ofSeconds(2),
                Duration.ofSeconds(1),
                5,
                4,
                100,
                Duration.ofMinutes(5),
                true,
                2,
                Duration.ofMinutes(1)));
    assertThatThrownBy(() -> ProxyConfig.from(Settings.of(Map.of("proxy.port", "70000"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("proxy.port");
  }
}
