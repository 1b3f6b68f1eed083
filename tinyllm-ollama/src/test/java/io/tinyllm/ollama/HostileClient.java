package io.tinyllm.ollama;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.LabelGuard;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * A client pointed at a {@link HostileServer}, with the test defaults of {@link ClientFixture} and
 * a fresh registry holding only its metrics.
 */
final class HostileClient implements AutoCloseable {
  final OllamaClient client;
  final OllamaMetrics metrics;
  final PrometheusRegistry registry = new PrometheusRegistry();

  HostileClient(HostileServer server, Map<String, String> settings) {
    this(server.uri(), settings);
  }

  /** A client of the server at {@code host}, which may carry a (wrong) base path. */
  HostileClient(URI host, Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(ClientFixture.testDefaults());
    all.putAll(settings);
    all.put(OllamaConfig.HOST, host.toString());
    OllamaConfig config = OllamaConfig.from(Settings.of(all), Map.of());
    this.metrics = new OllamaMetrics(new LabelGuard(100, 128), config);
    metrics.sets().forEach(set -> set.collectors().forEach(registry::register));
    this.client = new OllamaClient(config, metrics);
  }

  /** The family's sample lines only (no HELP/TYPE), "" if it has none. */
  /** The family's samples that recorded something (see {@link ClientFixture#samples}). */
  String samples(String name) {
    return ClientFixture.recorded(ClientFixture.family(ClientFixture.scrape(registry), name));
  }

  @Override
  public void close() {
    client.close();
  }
}
