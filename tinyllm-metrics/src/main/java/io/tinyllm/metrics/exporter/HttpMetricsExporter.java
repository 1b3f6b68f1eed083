package io.tinyllm.metrics.exporter;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpsConfigurator;
import io.prometheus.metrics.config.ExporterHttpServerProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the shared registry over HTTP: {@code /metrics} (text, OpenMetrics or protobuf by content
 * negotiation, gzip when asked) and {@code /-/healthy}, on loopback unless told otherwise, with
 * optional basic auth and TLS.
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
  private HTTPServer server;

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
    ExporterHttpServerProperties.Builder httpProperties = ExporterHttpServerProperties.builder();
    if (config.port() > 0) {
      httpProperties.port(config.port());
    }
    PrometheusProperties properties =
        PrometheusProperties.builder().exporterHttpServerProperties(httpProperties.build()).build();
    HTTPServer.Builder builder =
        HTTPServer.builder(properties)
            .hostname(config.host())
            .port(config.port())
            .registry(registry);
    if (config.basicAuthUser().isPresent()) {
      builder.authenticator(
          new ConstantTimeBasicAuthenticator(
              "tinyllm", config.basicAuthUser().get(), config.basicAuthPassword().orElseThrow()));
    }
    if (config.tlsEnabled()) {
      builder.httpsConfigurator(new HttpsConfigurator(TlsContexts.load(config)));
    }
    try {
      server = builder.buildAndStart();
    } catch (BindException e) {
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

  /** The port actually bound (useful with port 0). */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("The HTTP exporter is not started");
    }
    return server.getPort();
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
      server.close();
      server = null;
    }
  }
}
