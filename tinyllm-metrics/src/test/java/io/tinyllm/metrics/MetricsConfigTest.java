package io.tinyllm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.metrics.exporter.PushedFamilies;
import io.tinyllm.metrics.exporter.PushgatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MetricsConfigTest {
  @Test
  void defaults() {
    MetricsConfig config = MetricsConfig.defaults();

    assertThat(config.exporters()).isEmpty();
    assertThat(config.labelMaxValues()).isEqualTo(100);
    assertThat(config.labelMaxLength()).isEqualTo(128);
    assertThat(config.jvmMetrics()).isFalse();
    assertThat(config.http())
        .isEqualTo(
            new HttpExporterConfig(
                "127.0.0.1",
                9478,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    assertThat(config.http().port()).isNotIn(9090, 9091);
    assertThat(config.http().threads()).isEqualTo(16);
    assertThat(config.http().backlog()).isEqualTo(128);
    assertThat(config.http().headerTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.pushgateway())
        .isEqualTo(
            new PushgatewayConfig(
                "127.0.0.1:9091",
                false,
                Optional.empty(),
                Map.of(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Duration.ZERO,
                true,
                Duration.ofSeconds(10),
                PushedFamilies.all()));
  }

  @Test
  void fullPropertyMapping() {
    Settings settings =
        Settings.of(
            Map.ofEntries(
                Map.entry("metrics.exporters", "http, pushgateway"),
                Map.entry("metrics.labels.max-values", "7"),
                Map.entry("metrics.labels.max-length", "9"),
                Map.entry("metrics.jvm.enabled", "true"),
                Map.entry("metrics.http.host", "0.0.0.0"),
                Map.entry("metrics.http.port", "9090"),
                Map.entry("metrics.http.basic-auth.user", "u"),
                Map.entry("metrics.http.basic-auth.password", "p"),
                Map.entry("metrics.http.tls.cert", "/c.pem"),
                Map.entry("metrics.http.tls.key", "/k.pem"),
                Map.entry("metrics.http.threads", "32"),
                Map.entry("metrics.http.backlog", "512"),
                Map.entry("metrics.http.header-timeout", "2500ms"),
                Map.entry("metrics.pushgateway.address", "https://gw.example:9443/"),
                Map.entry("metrics.pushgateway.job", "batch"),
                Map.entry("metrics.pushgateway.grouping-key", "env=prod,region=eu"),
                Map.entry("metrics.pushgateway.bearer-token", "t"),
                Map.entry("metrics.pushgateway.interval", "30s"),
                Map.entry("metrics.pushgateway.push-on-close", "false"),
                Map.entry("metrics.pushgateway.timeout", "2500ms"),
                Map.entry(
                    "metrics.pushgateway.families", "tinyllm_batch_*, tinyllm_requests_total")));

    MetricsConfig config = MetricsConfig.from(settings);

    assertThat(config.exporters()).isEqualTo(List.of("http", "pushgateway"));
    assertThat(config.labelMaxValues()).isEqualTo(7);
    assertThat(config.labelMaxLength()).isEqualTo(9);
    assertThat(config.jvmMetrics()).isTrue();
    assertThat(config.http())
        .isEqualTo(
            new HttpExporterConfig(
                "0.0.0.0",
                9090,
                Optional.of("u"),
                Optional.of("p"),
                Optional.of(Path.of("/c.pem")),
                Optional.of(Path.of("/k.pem")),
                Optional.empty(),
                Optional.empty(),
                32,
                512,
                Duration.ofMillis(2500)));
    assertThat(config.pushgateway())
        .isEqualTo(
            new PushgatewayConfig(
                "gw.example:9443",
                true,
                Optional.of("batch"),
                Map.of("env", "prod", "region", "eu"),
                Optional.empty(),
                Optional.empty(),
                Optional.of("t"),
                Duration.ofSeconds(30),
                false,
                Duration.ofMillis(2500),
                PushedFamilies.of(List.of("tinyllm_batch_*", "tinyllm_requests_total"))));
  }

  @Test
  void theModuleOwnsMetricsKeysAndKnowsEveryOneItReads() {
    assertThat(new MetricsModule().knownSettings())
        .isEqualTo(
            KnownSettings.of(
                List.of("metrics."),
                List.of(
                    MetricsConfig.EXPORTERS,
                    MetricsConfig.LABEL_MAX_VALUES,
                    MetricsConfig.LABEL_MAX_LENGTH,
                    MetricsConfig.JVM_ENABLED,
                    HttpExporterConfig.HOST,
                    HttpExporterConfig.PORT,
                    HttpExporterConfig.BASIC_AUTH_USER,
                    HttpExporterConfig.BASIC_AUTH_PASSWORD,
                    HttpExporterConfig.TLS_CERT,
                    HttpExporterConfig.TLS_KEY,
                    HttpExporterConfig.TLS_KEYSTORE,
                    HttpExporterConfig.TLS_KEYSTORE_PASSWORD,
                    HttpExporterConfig.THREADS,
                    HttpExporterConfig.BACKLOG,
                    HttpExporterConfig.HEADER_TIMEOUT,
                    PushgatewayConfig.ADDRESS,
                    PushgatewayConfig.JOB,
                    PushgatewayConfig.GROUPING_KEY,
                    PushgatewayConfig.BASIC_AUTH_USER,
                    PushgatewayConfig.BASIC_AUTH_PASSWORD,
                    PushgatewayConfig.BEARER_TOKEN,
                    PushgatewayConfig.INTERVAL,
                    PushgatewayConfig.PUSH_ON_CLOSE,
                    PushgatewayConfig.TIMEOUT,
                    PushgatewayConfig.FAMILIES,
                    TinyLlm.CLOSE_TIMEOUT)));
  }

  @Test
  void keystoreMapping() {
    HttpExporterConfig config =
        HttpExporterConfig.from(
            Settings.of(
                Map.of(
                    "metrics.http.tls.keystore", "/ks.p12",
                    "metrics.http.tls.keystore-password", "secret")));

    assertThat(config.tlsKeystore()).contains(Path.of("/ks.p12"));
    assertThat(config.tlsKeystorePassword()).contains("secret");
    assertThat(config.tlsEnabled()).isTrue();
    assertThat(config.toString()).doesNotContain("secret");
  }

  @Test
  void invalidValuesNameTheSettingAndTheValue() {
    assertThatThrownBy(() -> MetricsConfig.from(Settings.of(Map.of("metrics.http.threads", "0"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value '0' for setting 'metrics.http.threads': expected 1 to 1000");
    assertThatThrownBy(() -> MetricsConfig.from(Settings.of(Map.of("metrics.http.backlog", "-1"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value '-1' for setting 'metrics.http.backlog': expected 1 to 65535");
    assertThatThrownBy(
            () -> MetricsConfig.from(Settings.of(Map.of("metrics.http.header-timeout", "0s"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value '0ms' for setting 'metrics.http.header-timeout': expected more than 0"
                + " and at most 1h");
    assertThatThrownBy(() -> MetricsConfig.from(Settings.of(Map.of("metrics.http.port", "abc"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 'abc' for setting 'metrics.http.port': expected an integer");
    assertThatThrownBy(() -> MetricsConfig.from(Settings.of(Map.of("metrics.http.port", "70000"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'70000'")
        .hasMessageContaining("metrics.http.port");
    assertThatThrownBy(
            () ->
                MetricsConfig.from(
                    Settings.of(Map.of("metrics.pushgateway.grouping-key", "novalue"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'novalue'")
        .hasMessageContaining("metrics.pushgateway.grouping-key");
    assertThatThrownBy(
            () -> MetricsConfig.from(Settings.of(Map.of("metrics.http.basic-auth.user", "u"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("metrics.http.basic-auth.password");
    assertThatThrownBy(() -> MetricsConfig.defaults().pushgateway().requireJob())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("metrics.pushgateway.job");
  }
}
