package io.tinyllm.ollama;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.List;

/**
 * Each Ollama server the client routes over ({@code ollama.host}, or every one of {@code
 * ollama.hosts}): calls sent to it and in flight, whether it is taken as up, and the calls moved to
 * another server because it failed before answering. The {@code host} label is a configured address
 * ({@code host:port}), so there are at most {@link OllamaConfig#MAX_HOSTS} values.
 *
 * <pre>
 * tinyllm_ollama_host_requests_total{host="gpu-a:11434"} 41.0
 * tinyllm_ollama_host_in_flight{host="gpu-a:11434"} 2.0
 * tinyllm_ollama_host_up{host="gpu-b:11434"} 0.0
 * tinyllm_ollama_host_failovers_total{host="gpu-b:11434"} 3.0
 * </pre>
 */
@Singleton
public final class HostMetrics implements MetricSet {
  private final boolean enabled;

  private final Counter requests =
      Counter.builder()
          .name("tinyllm_ollama_host_requests_total")
          .help("HTTP requests the client sent to an Ollama server (each attempt counts)")
          .labelNames("host")
          .build();
  private final Gauge inFlight =
      Gauge.builder()
          .name("tinyllm_ollama_host_in_flight")
          .help("HTTP requests to an Ollama server not yet answered in full")
          .labelNames("host")
          .build();
  private final Gauge up =
      Gauge.builder()
          .name("tinyllm_ollama_host_up")
          .help("1 while the client routes to an Ollama server, 0 while it skips it as unreachable")
          .labelNames("host")
          .build();
  private final Counter failovers =
      Counter.builder()
          .name("tinyllm_ollama_host_failovers_total")
          .help("Calls moved to another Ollama server because this one failed before answering")
          .labelNames("host")
          .build();

  @Inject
  public HostMetrics(OllamaConfig config) {
    this(config.metricsEnabled());
  }

  HostMetrics(boolean enabled) {
    this.enabled = enabled;
  }

  @Override
  public List<Collector> collectors() {
    if (!enabled) {
      return List.of();
    }
    return List.of(requests, inFlight, up, failovers);
  }

  /** The data points of {@code host}, at their starting values (up, nothing sent). */
  Points host(URI host) {
    String label = label(host);
    Points points =
        new Points(
            requests.labelValues(label),
            inFlight.labelValues(label),
            up.labelValues(label),
            failovers.labelValues(label),
            enabled);
    points.up(true);
    return points;
  }

  /** The label of {@code host}: its address without scheme or path. */
  static String label(URI host) {
    return host.getPort() < 0 ? host.getHost() : host.getHost() + ":" + host.getPort();
  }

  /** One server's data points. */
  static final class Points {
    private final CounterDataPoint requests;
    private final GaugeDataPoint inFlight;
    private final GaugeDataPoint up;
    private final CounterDataPoint failovers;
    private final boolean enabled;

    private Points(
        CounterDataPoint requests,
        GaugeDataPoint inFlight,
        GaugeDataPoint up,
        CounterDataPoint failovers,
        boolean enabled) {
      this.requests = requests;
      this.inFlight = inFlight;
      this.up = up;
      this.failovers = failovers;
      this.enabled = enabled;
    }

    void started() {
      if (enabled) {
        requests.inc();
        inFlight.inc();
      }
    }

    void ended() {
      if (enabled) {
        inFlight.dec();
      }
    }

    void up(boolean isUp) {
      if (enabled) {
        up.set(isUp ? 1 : 0);
      }
    }

    void failedOver() {
      if (enabled) {
        failovers.inc();
      }
    }
  }
}
