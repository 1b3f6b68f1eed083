package io.tinyllm.metrics.exporter;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and hostile clients against the metrics endpoint, on real loopback sockets. The bounds on
 * time are generous: before, a scrape behind slow clients waited for the JVM-wide 60 s request
 * limit or forever, and a held connection stayed open as long as its client liked.
 */
class HttpMetricsExporterSlowClientTest {
  private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(15);
  private static final String USER = "prom";
  private static final String PASSWORD = "s3cret";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void registerAMetric() {
    Counter.builder().name("test_events_total").help("Events").register(registry).inc(3);
  }

  @AfterEach
  void closeSockets() {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // the server may have closed it first
      }
    }
  }

  @Test
  void slowClientsOnEveryThreadDoNotStarveAScrape() throws Exception {
    // a header timeout far beyond the test: only making room for new requests can save the scrape
    try (HttpMetricsExporter exporter = start(config(4, Duration.ofMinutes(30), false))) {
      List<OutputStream> slow = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        Socket socket = connect(exporter);
        slow.add(socket.getOutputStream());
        send(socket.getOutputStream(), "GET /metrics HTTP/1.1\r\n");
      }
      awaitAllPickedUp(exporter, 12);
      for (OutputStream out : slow) {
        sendIfOpen(out, "Host: 127.0.0.1\r\n"); // one header line more, never the blank line
      }

      HttpResponse<String> scrape = get(URI.create(base(exporter) + "/metrics"), null);

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.body()).contains("test_events_total 3.0");
      assertThat(exporter.executor().expiredCount()).isPositive();
    }
  }

  @Test
  void healthUnderBasicAuthAnswersDespiteSlowClients() throws Exception {
    try (HttpMetricsExporter exporter = start(config(4, Duration.ofMinutes(30), true))) {
      for (int i = 0; i < 12; i++) {
        send(connect(exporter).getOutputStream(), "GET /-/healthy HTTP/1.1\r\nHost: x\r\n");
      }
      awaitAllPickedUp(exporter, 12);

      URI healthy = URI.create(base(exporter) + "/-/healthy");
      // documented: authentication covers the whole server, the health check included
      assertThat(get(healthy, null).statusCode()).isEqualTo(401);
      HttpResponse<String> withCredentials = get(healthy, basic(USER + ":" + PASSWORD));
      assertThat(withCredentials.statusCode()).isEqualTo(200);
      assertThat(withCredentials.body()).contains("Exporter is healthy");
    }
  }

  @Test
  void aRequestWhoseHeadersDoNotArriveInTimeIsClosed() throws Exception {
    try (HttpMetricsExporter exporter = start(config(4, Duration.ofMillis(300), false))) {
      Socket socket = connect(exporter);
      send(socket.getOutputStream(), "GET /metrics HTTP/1.1\r\nHost: x\r\n");

      // before, the server waited for the rest as long as the client (or the JVM's 60 s) allowed
      assertThat(closedByServer(socket)).isTrue();
      assertThat(exporter.executor().expiredCount()).isEqualTo(1);
      assertThat(get(URI.create(base(exporter) + "/metrics"), null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aTlsHandshakeThatDoesNotFinishInTimeIsClosed(@TempDir Path dir) throws Exception {
    Path keystore = HttpMetricsExporterTest.generateKeystore(dir);
    HttpExporterConfig config =
        new HttpExporterConfig(
            "127.0.0.1",
            0,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(keystore),
            Optional.of(HttpMetricsExporterTest.PASSWORD),
            4,
            HttpExporterConfig.DEFAULT_BACKLOG,
            Duration.ofMillis(300));
    try (HttpMetricsExporter exporter = start(config)) {
      Socket socket = connect(exporter);
      socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // a ClientHello begun
      socket.getOutputStream().flush();

      assertThat(closedByServer(socket)).isTrue();
      assertThat(exporter.executor().expiredCount()).isEqualTo(1);
    }
  }

  @Test
  void aFloodOfHeldConnectionsIsTurnedOverAndScrapesGoOn() throws Exception {
    try (HttpMetricsExporter exporter = start(config(4, Duration.ofSeconds(2), false))) {
      List<Socket> started = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        Socket socket = connect(exporter);
        send(socket.getOutputStream(), "G"); // a request begun, never finished
        started.add(socket);
      }
      for (int i = 0; i < 200; i++) {
        connect(exporter); // connected, silent
      }

      for (int i = 0; i < 3; i++) {
        HttpResponse<String> scrape = get(URI.create(base(exporter) + "/metrics"), null);
        assertThat(scrape.statusCode()).isEqualTo(200);
      }
      // every begun request is closed soon: made room for, or past its header timeout
      for (Socket socket : started) {
        assertThat(closedByServer(socket)).isTrue();
      }
    }
  }

  @Test
  void malformedAuthorizationIsA401WithAChallengeOnAConnectionThatStaysOpen() throws Exception {
    try (HttpMetricsExporter exporter = start(config(4, Duration.ofSeconds(10), true))) {
      Socket socket = connect(exporter);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      List<String> refused =
          List.of(
              "Basic !!!",
              "Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(UTF_8)),
              "Basic",
              "Bearer abc",
              "Digest username=\"prom\"",
              "Basic " + "A".repeat(ConstantTimeBasicAuthenticator.MAX_HEADER_LENGTH),
              basic(USER + ":wrong"));
      for (String authorization : refused) {
        send(out, request("/metrics", authorization));
        RawResponse response = RawResponse.read(in);
        assertThat(response.status()).as(authorization).isEqualTo(401);
        assertThat(response.headers().get("www-authenticate"))
            .as(authorization)
            .isEqualTo("Basic realm=\"tinyllm\", charset=\"UTF-8\"");
      }
      // the same connection then serves a good request: nothing was dropped
      send(out, request("/metrics", basic(USER + ":" + PASSWORD)));
      RawResponse ok = RawResponse.read(in);
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.body()).contains("test_events_total 3.0");
    }
  }

  @Test
  void schemeNameIsCaseInsensitive() throws Exception {
    try (HttpMetricsExporter exporter = start(config(4, Duration.ofSeconds(10), true))) {
      String token = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(UTF_8));
      HttpResponse<String> ok = get(URI.create(base(exporter) + "/metrics"), "basic " + token);
      assertThat(ok.statusCode()).isEqualTo(200);
    }
  }

  private HttpMetricsExporter start(HttpExporterConfig config) {
    HttpMetricsExporter exporter = new HttpMetricsExporter(registry, config);
    exporter.start();
    return exporter;
  }

  private static HttpExporterConfig config(int threads, Duration headerTimeout, boolean auth) {
    return new HttpExporterConfig(
        "127.0.0.1",
        0,
        auth ? Optional.of(USER) : Optional.empty(),
        auth ? Optional.of(PASSWORD) : Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        threads,
        HttpExporterConfig.DEFAULT_BACKLOG,
        headerTimeout);
  }

  private static String base(HttpMetricsExporter exporter) {
    return "http://127.0.0.1:" + exporter.port();
  }

  private Socket connect(HttpMetricsExporter exporter) throws IOException {
    Socket socket = new Socket("127.0.0.1", exporter.port());
    sockets.add(socket);
    return socket;
  }

  private static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(ISO_8859_1));
    out.flush();
  }

  private static String request(String path, String authorization) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
        + authorization
        + "\r\n\r\n";
  }

  private static String basic(String userPass) {
    return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(UTF_8));
  }

  private HttpResponse<String> get(URI uri, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(SCRAPE_TIMEOUT);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** True once the server closes the socket (end of stream or reset) within a generous bound. */
  private static boolean closedByServer(Socket socket) throws IOException {
    socket.setSoTimeout((int) SCRAPE_TIMEOUT.toMillis());
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketException reset) {
      return true;
    }
  }

  /** Waits until the server has given each of {@code count} begun requests a thread once. */
  private static void awaitAllPickedUp(HttpMetricsExporter exporter, int count)
      throws InterruptedException {
    HeaderDeadlineExecutor executor = exporter.executor();
    assertThat(executor.awaitStarted(count, SCRAPE_TIMEOUT))
        .as("%d requests picked up within %s", count, SCRAPE_TIMEOUT)
        .isTrue();
    assertThat(executor.readingCount()).isPositive();
  }

  /** Writes unless the server has already closed this slow connection to make room. */
  private static void sendIfOpen(OutputStream out, String text) {
    try {
      send(out, text);
    } catch (IOException closedByServer) {
      // expected for connections made way for
    }
  }

  /** Just enough HTTP/1.1 to read one response off a kept-alive connection. */
  private record RawResponse(int status, Map<String, String> headers, String body) {
    static RawResponse read(InputStream in) throws IOException {
      String statusLine = line(in);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = line(in); !line.isEmpty(); line = line(in)) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        for (int size = Integer.parseInt(line(in).trim(), 16);
            size > 0;
            size = Integer.parseInt(line(in).trim(), 16)) {
          body.write(in.readNBytes(size));
          line(in);
        }
        line(in);
      } else if (headers.containsKey("content-length")) {
        body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
      }
      return new RawResponse(
          Integer.parseInt(statusLine.split(" ")[1]), headers, body.toString(UTF_8));
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c == -1) {
          throw new IOException("connection closed after: " + line);
        }
        if (c != '\r') {
          line.append((char) c);
        }
        if (line.length() > 65_536) {
          throw new IOException("line too long");
        }
      }
      return line.toString();
    }
  }
}
