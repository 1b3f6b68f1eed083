package io.tinyllm.executor;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.testing.Exposition;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** An engine over a fresh registry, a scripted client and a clock the test moves. */
final class EngineFixture implements AutoCloseable {
  final PrometheusRegistry registry = new PrometheusRegistry();
  final ExecutorMetrics metrics = new ExecutorMetrics(new LabelGuard(100, 128));
  final AtomicLong clock = new AtomicLong();
  final ScriptedLlmClient client;
  final GraphEngine engine;

  EngineFixture(ScriptedLlmClient client, Map<String, String> settings) {
    this.client = client;
    metrics.collectors().forEach(registry::register);
    Settings base =
        Settings.of(
            Map.of(
                "executor.retry-backoff", "0ms",
                "executor.node-timeout", "10s",
                "executor.graph-timeout", "20s"));
    this.engine =
        new GraphEngine(ExecutorConfig.from(base.withAll(settings)), metrics, client, clock::get);
  }

  EngineFixture(ScriptedLlmClient client) {
    this(client, Map.of());
  }

  /** What the runs recorded: the families less their series still at 0. */
  String text(String... names) {
    return Exposition.recorded(registry, names);
  }

  @Override
  public void close() {
    engine.close();
  }
}
