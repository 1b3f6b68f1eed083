package io.tinyllm.metrics.exporter;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.DefaultHandler;
import io.prometheus.metrics.exporter.httpserver.HealthyHandler;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the shared registry over HTTP: {@code /metrics} (text, OpenMetrics or protobuf by content
 * negotiation, gzip when asked) and {@code /-/healthy}, on loopback unless told otherwise, with
 * optional basic auth and TLS.
 *
 * <p>The server is the JDK's, set up here rather than through client_java's {@code HTTPServer}
 * (whose handlers it serves) because that one cannot be kept from starving: 10 threads, a backlog
 * of 3, a dispatcher that blocks when the threads are busy, and no deadline for reading a request
 * short of the JVM-wide {@code sun.net.httpserver.maxReqTime}. Here {@link HeaderDeadlineExecutor}
 * closes connections that take longer than {@code metrics.http.header-timeout} to send their
 * headers, and the oldest such connection whenever all {@code metrics.http.threads} are busy; the
 * backlog is {@code metrics.http.backlog} (docs/security.md). An embeddable server with its own
 * idle timeouts (Jetty) would do as well at the cost of a dozen more jars in every application that
 * embeds us.
 *
 * <p>The port given here wins over any {@code io.prometheus.exporter.httpServer.port} set in the
 * environment: the library is handed explicit properties.
 *
 * <p>The JDK's HTTP server leaves Nagle's algorithm on unless the JVM starts with {@code
 * -Dsun.net.httpserver.nodelay=true}; with delayed ACKs every small scrape then stalls about 40 ms
 * (measured: 44.5 ms without, 0.5 ms with, docs/performance.md). A library does not change JVM-wide
 * settings behind its user's back: the {@code tinyllm} launcher passes the flag, and applications
 * that embed the exporter should pass it too (docs/metrics_README.md).
 */
public final class HttpMetricsExporter implements MetricsExporter {
  public static final String NAME = "http";
  private static final Logger log = LoggerFactory.getLogger(HttpMetricsExporter.class);
  private final PrometheusRegistry registry;
  private final HttpExporterConfig config;
  private HttpServer server;
  private HeaderDeadlineExecutor executor;

  public HttpMetricsExporter(PrometheusRegistry registry, HttpExporterConfig config) {
    this.registry = requireNonNull(registry, "registry is null");
    this.config = requireNonNull(config, "config is null");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      return;
    }
    HeaderDeadlineExecutor requests =
        new HeaderDeadlineExecutor(config.threads(), config.headerTimeout());
    try {
      server = createServer();
      server.setExecutor(requests);
      Authenticator authenticator =
          config
              .basicAuthUser()
              .<Authenticator>map(
                  user ->
                      new ConstantTimeBasicAuthenticator(
                          "tinyllm", user, config.basicAuthPassword().orElseThrow()))
              .orElse(null);
      // explicit defaults: nothing from the environment changes what is served
      PrometheusProperties properties = PrometheusProperties.builder().build();
      serve("/", new DefaultHandler("/metrics"), authenticator, requests);
      serve("/metrics", new MetricsHandler(properties, registry), authenticator, requests);
      serve("/-/healthy", new HealthyHandler(), authenticator, requests);
      server.start();
      executor = requests;
    } catch (RuntimeException e) {
      stopServer(requests);
      throw e;
    } catch (BindException e) {
      stopServer(requests);
      throw new ExporterException(
          "Port "
              + config.port()
              + " on "
              + config.host()
              + " is already in use (or not allowed): stop the process using it or choose another"
              + " port with --port (--metrics-port for 'tinyllm run'; setting '"
              + HttpExporterConfig.PORT
              + "')",
          e);
    } catch (IOException e) {
      stopServer(requests);
      throw new ExporterException(
          "Cannot start the metrics endpoint on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + e.getMessage(),
          e);
    }
    log.info("Serving metrics at {}", uri());
  }

  private void stopServer(HeaderDeadlineExecutor requests) {
    if (server != null) {
      server.stop(0);
      server = null;
    }
    requests.close();
  }

  private HttpServer createServer() throws IOException {
    InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
    if (config.tlsEnabled()) {
      // read the certificate before binding, so a bad file leaves no port bound
      HttpsConfigurator tls = new HttpsConfigurator(TlsContexts.load(config));
      HttpsServer https = HttpsServer.create(address, config.backlog());
      https.setHttpsConfigurator(tls);
      return https;
    }
    return HttpServer.create(address, config.backlog());
  }

  private void serve(
      String path,
      HttpHandler handler,
      Authenticator authenticator,
      HeaderDeadlineExecutor requests) {
    HttpContext context =
        server.createContext(
            path,
            exchange -> {
              requests.headersRead();
              handler.handle(exchange);
            });
    if (authenticator != null) {
      context.setAuthenticator(authenticator);
    }
  }

  /** The executor serving requests (tests watch its counts). */
  synchronized HeaderDeadlineExecutor executor() {
    if (executor == null) {
      throw new IllegalStateException("The HTTP exporter is not started");
    }
    return executor;
  }

  /** The port actually bound (useful with port 0). */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("The HTTP exporter is not started");
    }
    return server.getAddress().getPort();
  }

  /** The {@code /metrics} address. */
  public URI uri() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return URI.create(
        (config.tlsEnabled() ? "https" : "http") + "://" + host + ":" + port() + "/metrics");
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      executor.close();
      server = null;
      executor = null;
    }
  }
}
