package io.tinyllm.metrics.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.metrics.testing.FreePorts;
import io.tinyllm.metrics.testing.SelfSignedCertificate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpMetricsExporterTest {
  static final String PASSWORD = SelfSignedCertificate.PASSWORD;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void registerAMetric() {
    Counter.builder().name("test_events_total").help("Events").register(registry).inc(3);
  }

  @Test
  void servesMetricsAndHealthOnLoopback() throws Exception {
    try (HttpMetricsExporter exporter = new HttpMetricsExporter(registry, config(0))) {
      exporter.start();

      HttpResponse<String> metrics = get(http, exporter.uri());
      HttpResponse<String> health =
          get(http, URI.create("http://127.0.0.1:" + exporter.port() + "/-/healthy"));

      assertThat(exporter.uri().toString()).startsWith("http://127.0.0.1:");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .isEqualTo(
              """
              # HELP test_events_total Events
              # TYPE test_events_total counter
              test_events_total 3.0
              """);
      assertThat(health.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void negotiatesOpenMetricsAndGzip() throws Exception {
    try (HttpMetricsExporter exporter = new HttpMetricsExporter(registry, config(0))) {
      exporter.start();

      HttpResponse<String> openMetrics =
          http.send(
              HttpRequest.newBuilder(exporter.uri())
                  .header("Accept", "application/openmetrics-text; version=1.0.0")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<byte[]> gzipped =
          http.send(
              HttpRequest.newBuilder(exporter.uri()).header("Accept-Encoding", "gzip").build(),
              HttpResponse.BodyHandlers.ofByteArray());

      assertThat(openMetrics.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("application/openmetrics-text"));
      assertThat(openMetrics.body()).contains("test_events_total 3.0").endsWith("# EOF\n");
      assertThat(gzipped.headers().firstValue("Content-Encoding")).contains("gzip");
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
            .contains("test_events_total 3.0");
      }
    }
  }

  @Test
  void requiresBasicAuthWhenConfigured() throws Exception {
    HttpExporterConfig config =
        new HttpExporterConfig(
            "127.0.0.1",
            0,
            Optional.of("prom"),
            Optional.of("s3cret"),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    try (HttpMetricsExporter exporter = new HttpMetricsExporter(registry, config)) {
      exporter.start();

      HttpResponse<String> anonymous = get(http, exporter.uri());
      HttpResponse<String> wrong = get(http, exporter.uri(), "prom", "wrong");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(wrong.statusCode()).isEqualTo(401);
      // a refusal gives nothing away: no metrics, no configuration, no stack trace
      assertThat(wrong.body()).doesNotContain("test_events", "s3cret", "Exception");
      HttpResponse<String> ok = get(http, exporter.uri(), "prom", "s3cret");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("test_events_total 3.0");
    }
  }

  @Test
  void servesTlsFromPkcs12(@TempDir Path dir) throws Exception {
    Path keystore = generateKeystore(dir);
    HttpExporterConfig config =
        new HttpExporterConfig(
            "127.0.0.1",
            0,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(keystore),
            Optional.of(PASSWORD));
    try (HttpMetricsExporter exporter = new HttpMetricsExporter(registry, config)) {
      exporter.start();

      assertThat(exporter.uri().getScheme()).isEqualTo("https");
      HttpResponse<String> response = get(trustingClient(keystore), exporter.uri());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("test_events_total 3.0");
      // a client that does not trust the certificate fails the handshake
      assertThatThrownBy(() -> get(http, exporter.uri())).isInstanceOf(SSLHandshakeException.class);
      // and nothing is served in plain text on the TLS port
      URI plain = URI.create("http://127.0.0.1:" + exporter.port() + "/metrics");
      assertThatThrownBy(() -> get(http, plain)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void servesTlsFromPemFiles(@TempDir Path dir) throws Exception {
    Path keystore = generateKeystore(dir);
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    writePem(keystore, cert, key);
    HttpExporterConfig config =
        new HttpExporterConfig(
            "127.0.0.1",
            0,
            Optional.empty(),
            Optional.empty(),
            Optional.of(cert),
            Optional.of(key),
            Optional.empty(),
            Optional.empty());
    try (HttpMetricsExporter exporter = new HttpMetricsExporter(registry, config)) {
      exporter.start();

      HttpResponse<String> response = get(trustingClient(keystore), exporter.uri());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("test_events_total 3.0");
    }
  }

  @Test
  void missingTlsFileNamesTheFileAndTheSetting(@TempDir Path dir) {
    Path missing = dir.resolve("nope.pem");
    HttpExporterConfig config =
        new HttpExporterConfig(
            "127.0.0.1",
            0,
            Optional.empty(),
            Optional.empty(),
            Optional.of(missing),
            Optional.of(dir.resolve("key.pem")),
            Optional.empty(),
            Optional.empty());
    try (HttpMetricsExporter exporter = new HttpMetricsExporter(registry, config)) {
      assertThatThrownBy(exporter::start)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(missing.toString())
          .hasMessageContaining("metrics.http.tls.cert");
    }
  }

  @Test
  void wrongKeystorePasswordIsAClearError(@TempDir Path dir) throws Exception {
    Path keystore = generateKeystore(dir);
    HttpExporterConfig config =
        new HttpExporterConfig(
            "127.0.0.1",
            0,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(keystore),
            Optional.of("wrong"));
    try (HttpMetricsExporter exporter = new HttpMetricsExporter(registry, config)) {
      assertThatThrownBy(exporter::start)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining(keystore.toString())
          .hasMessageContaining("metrics.http.tls.keystore-password");
    }
  }

  @Test
  void portInUseIsOneClearSentence() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        HttpMetricsExporter exporter =
            new HttpMetricsExporter(registry, config(taken.getLocalPort()))) {
      assertThatThrownBy(exporter::start)
          .isInstanceOf(ExporterException.class)
          .hasMessageStartingWith(
              "Port " + taken.getLocalPort() + " on 127.0.0.1 is already in use")
          .hasMessageContaining("--port")
          .hasMessageContaining("metrics.http.port");
    }
  }

  @Test
  void theConfiguredPortWinsOverPrometheusSystemProperties() throws Exception {
    int wanted = FreePorts.find();
    int other = FreePorts.find();
    System.setProperty("io.prometheus.exporter.httpServer.port", String.valueOf(other));
    try (HttpMetricsExporter exporter = new HttpMetricsExporter(registry, config(wanted))) {
      exporter.start();

      assertThat(exporter.port()).isEqualTo(wanted);
      assertThat(get(http, exporter.uri()).statusCode()).isEqualTo(200);
    } finally {
      System.clearProperty("io.prometheus.exporter.httpServer.port");
    }
  }

  private static HttpExporterConfig config(int port) {
    return new HttpExporterConfig(
        "127.0.0.1",
        port,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(HttpClient client, URI uri, String user, String password)
      throws Exception {
    String token =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return client.send(
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Basic " + token)
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A self-signed EC certificate for 127.0.0.1 in a PKCS#12 keystore ({@link #PASSWORD}). */
  static Path generateKeystore(Path dir) {
    return SelfSignedCertificate.create(dir).keystore();
  }

  private static KeyStore load(Path keystore) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private static HttpClient trustingClient(Path keystore) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("metrics", load(keystore).getCertificate("metrics"));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .sslContext(context)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static void writePem(Path keystore, Path cert, Path key) throws Exception {
    KeyStore store = load(keystore);
    Certificate certificate = store.getCertificate("metrics");
    byte[] keyBytes = store.getKey("metrics", PASSWORD.toCharArray()).getEncoded();
    Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    try (Writer out = Files.newBufferedWriter(cert)) {
      out.write("-----BEGIN CERTIFICATE-----\n");
      out.write(mime.encodeToString(certificate.getEncoded()));
      out.write("\n-----END CERTIFICATE-----\n");
    }
    try (Writer out = Files.newBufferedWriter(key)) {
      out.write("-----BEGIN PRIVATE KEY-----\n");
      out.write(mime.encodeToString(keyBytes));
      out.write("\n-----END PRIVATE KEY-----\n");
    }
  }
}
