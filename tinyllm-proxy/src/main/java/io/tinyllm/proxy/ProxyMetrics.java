package io.tinyllm.proxy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * What the proxy itself sees, for every exchange including those that are not LLM calls ({@code
 * /api/tags}, {@code /api/pull}, unknown paths), and for the client connections it had no place
 * for. LLM calls are also recorded in the client's families ({@code tinyllm_requests_total} and the
 * rest), exactly as the Java client records them. The {@code path} label is one of the Ollama paths
 * the proxy knows, else {@code other}, so a client cannot grow it.
 *
 * <p>After one streamed chat whose client hung up before the end:
 *
 * <pre>
 * tinyllm_proxy_requests_total{code="2xx",path="/api/chat"} 1.0
 * tinyllm_proxy_client_disconnects_total{path="/api/chat"} 1.0
 * tinyllm_proxy_active_requests 0.0
 * </pre>
 */
@Singleton
public final class ProxyMetrics implements MetricSet {
  private final Counter requests =
      Counter.builder()
          .name("tinyllm_proxy_requests_total")
          .help("Exchanges the proxy forwarded, by Ollama path and the status class it answered")
          .labelNames("path", "code")
          .build();
  private final Gauge active =
      Gauge.builder()
          .name("tinyllm_proxy_active_requests")
          .help("Exchanges the proxy is forwarding now")
          .build();
  private final Counter disconnects =
      Counter.builder()
          .name("tinyllm_proxy_client_disconnects_total")
          .help("Exchanges whose client went away before the answer ended (upstream cancelled)")
          .labelNames("path")
          .build();
  private final Counter refusedConnections =
      Counter.builder()
          .name("tinyllm_proxy_connections_refused_total")
          .help(
              "New client connections beyond proxy.max-concurrent that got no place: answered 503,"
                  + " or closed without an answer when too many already waited for one")
          .labelNames("answer")
          .build();
  private final Counter upstreamFailures =
      Counter.builder()
          .name("tinyllm_proxy_upstream_failures_total")
          .help("Exchanges Ollama did not answer or broke off (connect error, timeout, reset)")
          .labelNames("path")
          .build();

  @Override
  public List<Collector> collectors() {
    return List.of(requests, active, disconnects, upstreamFailures, refusedConnections);
  }

  void started() {
    active.inc();
  }

  void ended() {
    active.dec();
  }

  /** The client got status {@code status} on {@code path} (a label from {@link ProxyPaths}). */
  void answered(String path, int status) {
    requests.labelValues(path, statusClass(status)).inc();
  }

  void clientDisconnected(String path) {
    disconnects.labelValues(path).inc();
  }

  void upstreamFailed(String path) {
    upstreamFailures.labelValues(path).inc();
  }

  /** A new connection beyond the limit was answered 503 (no place freed in time). */
  void connectionRefused503() {
    refusedConnections.labelValues("503").inc();
  }

  /** A new connection beyond the limit was closed without an answer (too many waited already). */
  void connectionRefusedUnanswered() {
    refusedConnections.labelValues("none").inc();
  }

  static String statusClass(int status) {
    return switch (status / 100) {
      case 1 -> "1xx";
      case 2 -> "2xx";
      case 3 -> "3xx";
      case 4 -> "4xx";
      default -> "5xx";
    };
  }
}
