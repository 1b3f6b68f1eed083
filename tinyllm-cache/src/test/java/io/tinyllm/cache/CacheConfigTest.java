package io.tinyllm.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CacheConfigTest {

  @Test
  void defaults() {
    assertThat(CacheConfig.defaults())
        .isEqualTo(
            new CacheConfig(
                false,
                "memory",
                10_000,
                Duration.ofHours(1),
                false,
                new RedisCacheConfig(
                    URI.create("redis://127.0.0.1:6379"),
                    "tinyllm:cache:",
                    Duration.ofMillis(250),
                    Duration.ofSeconds(1),
                    Optional.empty(),
                    Optional.empty(),
                    false,
                    true,
                    Optional.empty())));
  }

  @Test
  void everyKeyMaps() {
    Settings settings =
        Settings.of(
            Map.ofEntries(
                Map.entry("cache.enabled", "true"),
                Map.entry("cache.backend", "redis"),
                Map.entry("cache.max-entries", "500"),
                Map.entry("cache.ttl", "10m"),
                Map.entry("cache.cache-nondeterministic", "true"),
                Map.entry("cache.redis.uri", "redis://cache.internal:6380/2"),
                Map.entry("cache.redis.key-prefix", "llm:"),
                Map.entry("cache.redis.timeout", "50ms"),
                Map.entry("cache.redis.reconnect-delay", "5s"),
                Map.entry("cache.redis.username", "tinyllm"),
                Map.entry("cache.redis.password", "s3cret"),
                Map.entry("cache.redis.tls", "true"),
                Map.entry("cache.redis.tls-verify-peer", "false"),
                Map.entry("cache.redis.tls-ca-file", "/etc/tinyllm/redis-ca.pem")));

    assertThat(CacheConfig.from(settings))
        .isEqualTo(
            new CacheConfig(
                true,
                "redis",
                500,
                Duration.ofMinutes(10),
                true,
                new RedisCacheConfig(
                    URI.create("redis://cache.internal:6380/2"),
                    "llm:",
                    Duration.ofMillis(50),
                    Duration.ofSeconds(5),
                    Optional.of("tinyllm"),
                    Optional.of("s3cret"),
                    true,
                    false,
                    Optional.of("/etc/tinyllm/redis-ca.pem"))));
    // the full mapping above is exactly what the plug-in declares it reads
    assertThat(new CacheModule().knownSettings())
        .isEqualTo(KnownSettings.of(List.of("cache."), settings.asMap().keySet()));
  }

  @Test
  void aRedissUriMeansTls() {
    assertThat(
            RedisCacheConfig.from(Settings.of(Map.of("cache.redis.uri", "rediss://h:6379"))).tls())
        .isTrue();
  }

  @Test
  void zeroTtlMeansNoExpiry() {
    assertThat(CacheConfig.from(Settings.of(Map.of("cache.ttl", "0"))).expires()).isFalse();
  }

  @Test
  void invalidValuesNameTheKey() {
    assertThatThrownBy(() -> CacheConfig.from(Settings.of(Map.of("cache.max-entries", "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cache.max-entries");
    assertThatThrownBy(() -> CacheConfig.from(Settings.of(Map.of("cache.ttl", "soon"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cache.ttl");
    assertThatThrownBy(() -> CacheConfig.from(Settings.of(Map.of("cache.redis.uri", "http://x"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cache.redis.uri");
    assertThatThrownBy(() -> CacheConfig.from(Settings.of(Map.of("cache.redis.timeout", "0ms"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cache.redis.timeout");
  }

  @Test
  void passwordsAreNotPrinted() {
    RedisCacheConfig config =
        RedisCacheConfig.from(
            Settings.of(
                Map.of(
                    "cache.redis.uri",
                    "redis://user:uripass@h:6379",
                    "cache.redis.password",
                    "s3cret")));

    assertThat(config.toString()).doesNotContain("s3cret").doesNotContain("uripass");
    assertThat(CacheConfig.from(Settings.of(Map.of("cache.redis.password", "s3cret"))).toString())
        .doesNotContain("s3cret");
  }
}
