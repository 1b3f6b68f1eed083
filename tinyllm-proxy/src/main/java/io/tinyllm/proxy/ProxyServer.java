package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.concurrent.DaemonThreads;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.OllamaMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tinyllm proxy}: an HTTP server in front of one Ollama, or a {@link Fleet} of them, that
 * forwards everything unchanged and records what passes through in the client's metric families,
 * plus {@code /metrics}.
 *
 * <pre>{@code
 * try (TinyLlm app = TinyLlm.start(Settings.of(Map.of("ollama.host", "http://gpu-box:11434")))) {
 *   ProxyServer proxy = app.get(ProxyServer.class);
 *   proxy.start(); // http://127.0.0.1:11435, /metrics on the same port
 * }
 * }</pre>
 *
 * <p>{@link ProxyHttpServer} serves it: Apache HttpCore 5's classic, blocking HTTP/1.1 server with
 * one thread per client connection for the connection's life (at most {@code
 * proxy.max-concurrent}), so a kept-alive connection's requests are all read and answered on one
 * thread, and a slow reader holds only its own. The JDK's {@code com.sun.net.httpserver}, which
 * served it before, passed each request from its selector thread to a pooled exchange thread and
 * back, which cost about 0.1–0.2 ms per request on loopback (docs/performance.md §8). Forwarded
 * calls go upstream on the same thread ({@link Upstream}, over kept-alive HTTP/1.1 connections),
 * answers read from the socket as the client takes them, so Ollama is read no faster than the
 * client reads. The fleet's health checks and fleet-wide views call every backend at once through
 * {@code java.net.http} on HTTP/1.1.
 */
@Singleton
public final class ProxyServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

  private final ProxyConfig config;
  private final Fleet fleet;
  private final FleetMetrics fleetMetrics;
  private final OllamaConfig ollama;
  private final OllamaMetrics metrics;
  private final ProxyMetrics proxyMetrics;
  private final PrometheusRegistry registry;
  private final ProxyCache cache;
  private ProxyHttpServer server;
  private ScheduledExecutorService timer;
  private ScheduledExecutorService health;
  private Upstream upstream;
  private IdleWatches watches;

  @Inject
  public ProxyServer(
      ProxyConfig config,
      Fleet fleet,
      FleetMetrics fleetMetrics,
      OllamaConfig ollama,
      OllamaMetrics metrics,
      ProxyMetrics proxyMetrics,
      PrometheusRegistry registry,
      ProxyCache cache) {
    this.cache = requireNonNull(cache, "cache is null");
    this.config = requireNonNull(config, "config is null");
    this.fleet = requireNonNull(fleet, "fleet is null");
    this.fleetMetrics = requireNonNull(fleetMetrics, "fleetMetrics is null");
    this.ollama = requireNonNull(ollama, "ollama is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.proxyMetrics = requireNonNull(proxyMetrics, "proxyMetrics is null");
    this.registry = requireNonNull(registry, "registry is null");
  }

  /** Starts listening; does nothing if started. */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(ollama.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    MetricsEndpoint metricsEndpoint = new MetricsEndpoint(registry);
    ServerSocket listener;
    try {
      listener = new ServerSocket();
    } catch (IOException e) {
      throw new TinyLlmException("Cannot open a socket for the proxy: " + e, e);
    }
    try {
      listener.bind(new InetSocketAddress(config.host(), config.port()), 128);
    } catch (BindException e) {
      closeQuietly(listener);
      throw new TinyLlmException(
          "Port "
              + config.port()
              + " on "
              + config.host()
              + " is already in use (or not allowed): stop the process using it or choose another"
              + " --port (setting '"
              + ProxyConfig.PORT
              + "')",
          e);
    } catch (IOException e) {
      closeQuietly(listener);
      throw new TinyLlmException(
          "Cannot start the proxy on " + config.host() + ":" + config.port() + ": " + e, e);
    }
    // one thread watches every answer for Ollama's silence
    timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tinyllm-proxy-idle-"));
    watches = new IdleWatches(timer, ollama.streamIdleTimeout());
    upstream =
        new Upstream(ollama.connectTimeout(), config.maxConcurrent(), fleet.backends().size());
    // what each backend serves is known before the first request; checks have their own thread,
    // so a slow backend never delays the idle watch of the streams
    health =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("tinyllm-proxy-health-"));
    fleet.start(client, health);
    Forwarder forwarder =
        new Forwarder(
            fleet,
            fleetMetrics,
            ollama.streamIdleTimeout(),
            watches,
            upstream,
            client,
            metrics,
            proxyMetrics,
            cache);
    ProxyHttpServer created =
        new ProxyHttpServer(
            listener,
            config.maxConcurrent(),
            config.keepAliveTimeout(),
            exchange -> {
              String method = exchange.method();
              // GET /metrics is the proxy's own (Ollama has no such path)
              if ("/metrics".equals(exchange.path())
                  && ("GET".equals(method) || "HEAD".equals(method))) {
                metricsEndpoint.handle(exchange);
              } else {
                forwarder.handle(exchange);
              }
            },
            proxyMetrics);
    created.start();
    server = created;
    log.info("Proxying {} to Ollama at {}", uri(), fleet.names());
  }

  /** The port bound (useful with port 0). */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("The proxy is not started");
    }
    return server.port();
  }

  /** The HTTP server, for tests that count its connections; null when not started. */
  synchronized ProxyHttpServer httpServer() {
    return server;
  }

  /** The proxy's address, for Ollama clients: {@code OLLAMA_HOST=<this>}. */
  public URI uri() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return URI.create("http://" + host + ":" + port());
  }

  /** The Ollama server requests go to: the first of the fleet. */
  public URI upstream() {
    return fleet.address(fleet.names().get(0));
  }

  /** The Ollama servers requests go to. */
  public Fleet fleet() {
    return fleet;
  }

  /** Stops listening and ends the exchanges in progress. */
  @Override
  public synchronized void close() {
    if (server != null) {
      server.close();
      fleet.stop();
      watches.close();
      timer.shutdownNow();
      health.shutdownNow();
      upstream.close();
      server = null;
    }
    cache.close();
  }

  private static void closeQuietly(ServerSocket listener) {
    try {
      listener.close();
    } catch (IOException ignored) {
      // failing to start anyway
    }
  }
}
