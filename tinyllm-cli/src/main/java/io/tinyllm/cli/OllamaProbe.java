package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaHealth;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes {@code tinyllm metrics --ollama URL} an exporter for an Ollama server: every interval it
 * asks Ollama whether it is up ({@code tinyllm_ollama_up}) and which models are loaded (the
 * client's inventory gauges, refreshed by {@link OllamaClient#running()}).
 *
 * <pre>
 * tinyllm_ollama_up 1.0
 * tinyllm_ollama_models_loaded 2.0
 * </pre>
 */
final class OllamaProbe implements AutoCloseable {
  private final OllamaClient client;
  private final Gauge up;
  private final Gauge lastProbe;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "tinyllm-ollama-probe");
            t.setDaemon(true);
            return t;
          });

  OllamaProbe(OllamaClient client, PrometheusRegistry registry) {
    this.client = requireNonNull(client, "client is null");
    this.up =
        Gauge.builder()
            .name("tinyllm_ollama_up")
            .help("Whether the Ollama server answered the last probe (1) or not (0)")
            .register(registry);
    this.lastProbe =
        Gauge.builder()
            .name("tinyllm_ollama_last_probe_timestamp_seconds")
            .help("Unix time of the last probe of the Ollama server")
            .register(registry);
  }

  /** Probes now, then every {@code interval}. */
  void start(Duration interval) {
    probe();
    long millis = Math.max(1, interval.toMillis());
    scheduler.scheduleWithFixedDelay(this::probe, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** One probe; returns whether Ollama answered. */
  boolean probe() {
    OllamaHealth health = client.health();
    boolean answered = health.healthy();
    if (answered) {
      try {
        client.running();
      } catch (TinyLlmException e) {
        answered = false;
      }
    }
    up.set(answered ? 1 : 0);
    lastProbe.set(System.currentTimeMillis() / 1000.0);
    return answered;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
