package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OllamaConfigTest {
  @Test
  void defaults() {
    OllamaConfig config = OllamaConfig.from(Settings.empty(), Map.of());

    assertThat(config)
        .isEqualTo(
            new OllamaConfig(
                URI.create("http://127.0.0.1:11434"),
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                Duration.ofSeconds(60),
                new OllamaConfig.BreakerSettings(true, 5, Duration.ofSeconds(30), 1),
                new OllamaConfig.RateLimitSettings(true, 10.0, 20, Duration.ofSeconds(30)),
                new OllamaConfig.RetrySettings(
                    3, Duration.ofMillis(500), 2.0, Duration.ofSeconds(10), 0.5),
                Duration.ofMillis(100),
                true,
                256,
                Duration.ofMinutes(30),
                64 * 1024 * 1024));
    assertThat(OllamaConfig.defaults()).isEqualTo(config);
  }

  @Test
  void everyKeyIsRead() {
    Map<String, String> settings =
        Map.ofEntries(
            Map.entry("ollama.host", "gpu-box:8080"),
            Map.entry("ollama.timeout.connect", "2s"),
            Map.entry("ollama.timeout.request", "90s"),
            Map.entry("ollama.timeout.stream-idle", "15s"),
            Map.entry("ollama.circuit-breaker.enabled", "false"),
            Map.entry("ollama.circuit-breaker.failure-threshold", "3"),
            Map.entry("ollama.circuit-breaker.open-duration", "1m"),
            Map.entry("ollama.circuit-breaker.half-open-calls", "2"),
            Map.entry("ollama.rate-limit.enabled", "false"),
            Map.entry("ollama.rate-limit.requests-per-second", "2.5"),
            Map.entry("ollama.rate-limit.burst", "5"),
            Map.entry("ollama.rate-limit.max-wait", "250ms"),
            Map.entry("ollama.retry.max-attempts", "4"),
            Map.entry("ollama.retry.initial-backoff", "100ms"),
            Map.entry("ollama.retry.multiplier", "3"),
            Map.entry("ollama.retry.max-backoff", "2s"),
            Map.entry("ollama.retry.jitter", "0.25"),
            Map.entry("ollama.metrics.model-load-threshold", "250ms"),
            Map.entry("ollama.metrics.enabled", "false"),
            Map.entry("ollama.streams.max-concurrent", "8"),
            Map.entry("ollama.timeout.stream-total", "2h"),
            Map.entry("ollama.max-response-bytes", "1048576"),
            Map.entry("ollama.hosts.retry-after", "3s"));

    OllamaConfig config = OllamaConfig.from(Settings.of(settings), Map.of());

    assertThat(config)
        .isEqualTo(
            new OllamaConfig(
                URI.create("http://gpu-box:8080"),
                Duration.ofSeconds(2),
                Duration.ofSeconds(90),
                Duration.ofSeconds(15),
                new OllamaConfig.BreakerSettings(false, 3, Duration.ofMinutes(1), 2),
                new OllamaConfig.RateLimitSettings(false, 2.5, 5, Duration.ofMillis(250)),
                new OllamaConfig.RetrySettings(
                    4, Duration.ofMillis(100), 3.0, Duration.ofSeconds(2), 0.25),
                Duration.ofMillis(250),
                false,
                8,
                Duration.ofHours(2),
                1048576,
                List.of(URI.create("http://gpu-box:8080")),
                Duration.ofSeconds(3)));
    // the full mapping above is exactly what the plug-in declares it reads, with ollama.hosts,
    // the other way to name the server (the two cannot be set together)
    Set<String> keys = new TreeSet<>(settings.keySet());
    keys.add(OllamaConfig.HOSTS);
    assertThat(new OllamaModule().knownSettings())
        .isEqualTo(KnownSettings.of(List.of("ollama."), keys));
  }

  @Test
  void hostComesFromTheSettingThenTheEnvironment() {
    Map<String, String> env = Map.of("OLLAMA_HOST", "0.0.0.0:11500");

    assertThat(OllamaConfig.from(Settings.empty(), env).host())
        .isEqualTo(URI.create("http://127.0.0.1:11500"));
    assertThat(OllamaConfig.from(Settings.of(Map.of("ollama.host", "box")), env).host())
        .isEqualTo(URI.create("http://box:11434"));
  }

  @Test
  void invalidValuesNameTheKey() {
    assertThatThrownBy(
            () -> OllamaConfig.from(Settings.of(Map.of("ollama.retry.jitter", "1.5")), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ollama.retry.jitter")
        .hasMessageContaining("1.5");
    assertThatThrownBy(
            () -> OllamaConfig.from(Settings.of(Map.of("ollama.host", "box:99999")), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ollama.host")
        .hasMessageContaining("box:99999");
    assertThatThrownBy(() -> OllamaConfig.from(Settings.empty(), Map.of("OLLAMA_HOST", "ftp://x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OLLAMA_HOST");
    assertThatThrownBy(
            () -> OllamaConfig.from(Settings.of(Map.of("ollama.timeout.request", "0s")), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ollama.timeout.request");
    assertThatThrownBy(
            () ->
                OllamaConfig.from(
                    Settings.of(Map.of("ollama.streams.max-concurrent", "0")), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ollama.streams.max-concurrent");
    assertThatThrownBy(
            () ->
                OllamaConfig.from(
                    Settings.of(Map.of("ollama.max-response-bytes", "100")), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ollama.max-response-bytes")
        .hasMessageContaining("1024");
    assertThatThrownBy(
            () ->
                OllamaConfig.from(
                    Settings.of(Map.of("ollama.timeout.stream-total", "0s")), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ollama.timeout.stream-total");
  }

  @Test
  void theConstructorWithoutAStreamLimitKeepsTheDefault() {
    OllamaConfig defaults = OllamaConfig.defaults();

    OllamaConfig config =
        new OllamaConfig(
            defaults.host(),
            defaults.connectTimeout(),
            defaults.requestTimeout(),
            defaults.streamIdleTimeout(),
            defaults.circuitBreaker(),
            defaults.rateLimit(),
            defaults.retry(),
            defaults.modelLoadThreshold(),
            defaults.metricsEnabled());

    assertThat(config).isEqualTo(defaults);
    assertThat(config.maxConcurrentStreams())
        .isEqualTo(OllamaConfig.DEFAULT_MAX_CONCURRENT_STREAMS)
        .isEqualTo(256);
    OllamaConfig eight =
        OllamaConfig.from(Settings.of(Map.of(OllamaConfig.STREAMS_MAX_CONCURRENT, "8")), Map.of());
    assertThat(eight.withHost(URI.create("http://other:1")).maxConcurrentStreams()).isEqualTo(8);
    OllamaConfig small =
        OllamaConfig.from(Settings.of(Map.of(OllamaConfig.MAX_RESPONSE_BYTES, "4096")), Map.of());
    assertThat(small.withHost(URI.create("http://other:1")).maxResponseBytes()).isEqualTo(4096);
  }
}
