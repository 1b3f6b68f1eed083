package io.tinyllm.proxy;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * What the proxy sees of each Ollama server of its fleet. The {@code backend} label is a name from
 * the configuration ({@code proxy.upstreams}: {@code name=URL}, else the URL's {@code host:port}),
 * never anything a client sends, so it is bounded by the configuration; every backend's series
 * exist from the start, at zero.
 *
 * <p>A fleet of two after one chat routed to the backend that had the model loaded:
 *
 * <pre>
 * tinyllm_proxy_backend_requests_total{backend="gpu-1"} 1.0
 * tinyllm_proxy_backend_up{backend="gpu-1"} 1.0
 * tinyllm_proxy_backend_models_loaded{backend="gpu-1"} 1.0
 * tinyllm_proxy_routing_decisions_total{backend="gpu-1",reason="loaded"} 1.0
 * </pre>
 */
@Singleton
public final class FleetMetrics implements MetricSet {
  /** Why a backend was chosen, the values of the {@code reason} label. */
  enum Reason {
    /** The conversation's earlier turns went there, and it is still in the fleet. */
    AFFINITY,
    /** It had the model loaded (least busy of those that had). */
    LOADED,
    /** The least busy of those that serve the model (or of all, for a request without one). */
    LEAST_BUSY,
    /** The only backend that could take it. */
    ONLY;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The error types a backend is charged with; 4xx answers are the caller's, not the backend's. */
  private static final List<ErrorType> BACKEND_ERRORS =
      List.of(
          ErrorType.CONNECTION,
          ErrorType.TIMEOUT,
          ErrorType.SERVER_BUSY,
          ErrorType.SERVER_ERROR,
          ErrorType.STREAM_ERROR);

  private final Counter requests =
      Counter.builder()
          .name("tinyllm_proxy_backend_requests_total")
          .help("Requests the proxy sent to each Ollama backend, retries and fan-outs included")
          .labelNames("backend")
          .build();
  private final Gauge inFlight =
      Gauge.builder()
          .name("tinyllm_proxy_backend_in_flight")
          .help("Requests each Ollama backend is serving for the proxy now")
          .labelNames("backend")
          .build();
  private final Counter errors =
      Counter.builder()
          .name("tinyllm_proxy_backend_errors_total")
          .help("Requests an Ollama backend failed: unreachable, timed out, 429/5xx, broken stream")
          .labelNames("backend", "error_type")
          .build();
  private final Gauge up =
      Gauge.builder()
          .name("tinyllm_proxy_backend_up")
          .help("1 while the backend is in the fleet, 0 once health checks ejected it")
          .labelNames("backend")
          .build();
  private final Gauge modelsLoaded =
      Gauge.builder()
          .name("tinyllm_proxy_backend_models_loaded")
          .help("Models the backend's /api/ps listed at its last good health check")
          .labelNames("backend")
          .build();
  private final Counter routing =
      Counter.builder()
          .name("tinyllm_proxy_routing_decisions_total")
          .help("Backends chosen for a request, by the reason it was chosen")
          .labelNames("backend", "reason")
          .build();
  private final Counter failovers =
      Counter.builder()
          .name("tinyllm_proxy_backend_failovers_total")
          .help("Requests moved from this backend to another after it failed before the first byte")
          .labelNames("backend")
          .build();

  private final Gauge breakerState =
      Gauge.builder()
          .name("tinyllm_proxy_backend_circuit_breaker_state")
          .help("Circuit breaker of each backend, when enabled: 0 closed, 1 half-open, 2 open")
          .labelNames("backend")
          .build();

  @Override
  public List<Collector> collectors() {
    return List.of(requests, inFlight, errors, up, modelsLoaded, routing, failovers, breakerState);
  }

  /** {@code backend}'s breaker is now in {@code state}: 0 closed, 1 half-open, 2 open. */
  void breaker(String backend, int state) {
    breakerState.labelValues(backend).set(state);
  }

  /** Makes {@code backend}'s series exist, at zero (up at 1: a backend starts in the fleet). */
  void add(String backend) {
    requests.labelValues(backend);
    inFlight.labelValues(backend);
    for (ErrorType type : BACKEND_ERRORS) {
      errors.labelValues(backend, type.label());
    }
    up.labelValues(backend).set(1);
    modelsLoaded.labelValues(backend);
    for (Reason reason : Reason.values()) {
      routing.labelValues(backend, reason.label());
    }
    failovers.labelValues(backend);
  }

  void routed(String backend, Reason reason) {
    routing.labelValues(backend, reason.label()).inc();
  }

  /** A request goes to {@code backend}; {@link #ended} follows when it is done with it. */
  void started(String backend) {
    requests.labelValues(backend).inc();
    inFlight.labelValues(backend).inc();
  }

  void ended(String backend) {
    inFlight.labelValues(backend).dec();
  }

  /** {@code backend} failed a request with {@code type} (one of the backend error types). */
  void failed(String backend, ErrorType type) {
    errors
        .labelValues(backend, BACKEND_ERRORS.contains(type) ? type.label() : "server_error")
        .inc();
  }

  void failedOver(String backend) {
    failovers.labelValues(backend).inc();
  }

  void health(String backend, boolean healthy, int loaded) {
    up.labelValues(backend).set(healthy ? 1 : 0);
    modelsLoaded.labelValues(backend).set(loaded);
  }

  void health(String backend, boolean healthy) {
    up.labelValues(backend).set(healthy ? 1 : 0);
  }
}
