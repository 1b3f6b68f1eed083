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
                64 * 1024 * 1024,
                List.of(URI.create("http://127.0.0.1:11434")),
                Duration.ofSeconds(10)));
    assertThat(OllamaConfig.defaults()).isEqualTo(config);
  }

  @Test
  void everyKeyIsRead() {
    Map<String, String> settings = everySetting();

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
  void theBuilderStartsFromTheDefaultsAndSetsWhatTheSettingsSet() {
    assertThat(OllamaConfig.builder().build()).isEqualTo(OllamaConfig.defaults());

    OllamaConfig built =
        OllamaConfig.builder()
            .host("gpu-box:8080")
            .connectTimeout(Duration.ofSeconds(2))
            .requestTimeout(Duration.ofSeconds(90))
            .streamIdleTimeout(Duration.ofSeconds(15))
            .circuitBreaker(new OllamaConfig.BreakerSettings(false, 3, Duration.ofMinutes(1), 2))
            .rateLimit(new OllamaConfig.RateLimitSettings(false, 2.5, 5, Duration.ofMillis(250)))
            .retry(
                new OllamaConfig.RetrySettings(
                    4, Duration.ofMillis(100), 3.0, Duration.ofSeconds(2), 0.25))
            .modelLoadThreshold(Duration.ofMillis(250))
            .metricsEnabled(false)
            .maxConcurrentStreams(8)
            .streamTotalTimeout(Duration.ofHours(2))
            .maxResponseBytes(1048576)
            .hostRetryAfter(Duration.ofSeconds(3))
            .build();

    assertThat(built).isEqualTo(OllamaConfig.from(Settings.of(everySetting()), Map.of()));
    // back and forth keeps every value; withHost changes the host alone
    assertThat(built.toBuilder().build()).isEqualTo(built);
    OllamaConfig moved = built.withHost(URI.create("http://other:1"));
    assertThat(moved.hosts()).containsExactly(URI.create("http://other:1"));
    assertThat(moved.toBuilder().host("gpu-box:8080").build()).isEqualTo(built);
  }

  @Test
  void theBuilderTakesAFleetAndRefusesWhatTheRecordRefuses() {
    URI a = URI.create("http://a:11434");
    URI b = URI.create("http://b:11434");
    OllamaConfig fleet = OllamaConfig.builder().hosts(List.of(a, b)).build();
    assertThat(fleet.host()).isEqualTo(a);
    assertThat(fleet.hosts()).containsExactly(a, b);
    assertThat(fleet.isFleet()).isTrue();
    assertThat(fleet.toBuilder().host(b).build().isFleet()).isFalse();

    assertThatThrownBy(() -> OllamaConfig.builder().hosts(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hosts is empty: name at least one server");
    assertThatThrownBy(() -> OllamaConfig.builder().hosts(List.of(a, a)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("distinct servers");
    assertThatThrownBy(() -> OllamaConfig.builder().host("ftp://gpu-box").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unsupported scheme 'ftp' in Ollama address 'ftp://gpu-box'");
    assertThatThrownBy(() -> OllamaConfig.builder().requestTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requestTimeout must be positive: PT0S");
    assertThatThrownBy(() -> OllamaConfig.builder().maxConcurrentStreams(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrentStreams must be positive: 0");
    assertThatThrownBy(() -> OllamaConfig.builder().retry(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("retry is null");
  }

  /** A value other than the default for every key (ollama.host for the server). */
  private static Map<String, String> everySetting() {
    return Map.ofEntries(
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
  }
}
