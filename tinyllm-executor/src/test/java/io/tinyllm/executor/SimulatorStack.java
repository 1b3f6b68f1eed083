package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.testing.Exposition;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * An Ollama simulator on an ephemeral loopback port and the plug-ins found on the class path
 * (metrics, ollama, executor, queue) wired by Guice against it, as the application wires them: one
 * {@link MetricsCollector} and registry holds the client's and the executor's families.
 *
 * <p>The client makes one attempt per call (no retries) and has no rate limit, so every model node
 * execution is exactly one HTTP request; its own circuit breaker opens only after 5 consecutive
 * failures. Timeouts are generous: tests that need one set it on the node or graph.
 */
final class SimulatorStack implements AutoCloseable {
  final OllamaSimulator sim;
  final Injector injector;
  final GraphEngine engine;
  final MetricsCollector metrics;
  final GraphLoader loader = new GraphLoader();

  private SimulatorStack(OllamaSimulator sim, Map<String, String> overrides) {
    this.sim = sim;
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("ollama.host", sim.baseUri().toString());
    settings.put("ollama.retry.max-attempts", "1");
    settings.put("ollama.rate-limit.enabled", "false");
    settings.put("ollama.timeout.connect", "5s");
    settings.put("ollama.timeout.request", "60s");
    settings.put("ollama.timeout.stream-idle", "60s");
    settings.put("executor.node-timeout", "30s");
    settings.put("executor.graph-timeout", "60s");
    settings.put("executor.retry-backoff", "0ms");
    settings.putAll(overrides);
    List<TinyLlmModule> plugins = Plugins.discover(SimulatorStack.class.getClassLoader());
    Plugins.requirePresent(plugins, List.of("metrics", "ollama", "executor"));
    this.injector =
        Guice.createInjector(Settings.module(Settings.of(settings)), Plugins.combine(plugins));
    this.engine = injector.getInstance(GraphEngine.class);
    this.metrics = injector.getInstance(MetricsCollector.class);
  }

  /** A simulator 100 times faster than real models, with {@code config}'s answers and models. */
  static SimulatorStack start(SimulatorConfig.Builder config, Map<String, String> settings) {
    try {
      return new SimulatorStack(
          OllamaSimulator.start(config.timeScale(0.01).maxParallel(8).build()), settings);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SimulatorStack start(SimulatorConfig.Builder config) {
    return start(config, Map.of());
  }

  GraphDefinition parse(String yaml) {
    return loader.parse("sim.yaml", yaml);
  }

  /**
   * An engine over the same configuration, metrics and client whose clock the test moves (to cool
   * node circuit breakers down without waiting).
   */
  GraphEngine engineWithClock(LongSupplier nanoTime) {
    return new GraphEngine(
        injector.getInstance(ExecutorConfig.class),
        injector.getInstance(ExecutorMetrics.class),
        injector.getInstance(LlmClient.class),
        nanoTime);
  }

  /**
   * Every sample line of {@code series} (a sample name such as {@code tinyllm_requests_total} or
   * {@code tinyllm_node_execution_duration_seconds_count}) in one scrape of the shared registry,
   * less the counter and histogram series still at 0 (exposed ahead of their first event).
   */
  List<String> samples(String series) {
    List<String> lines = new ArrayList<>();
    for (String line : Exposition.withoutZeroSeries(metrics.scrapeText()).split("\n")) {
      if (line.startsWith(series + "{") || line.startsWith(series + " ")) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** The value of the sample line that starts with {@code series} (name and labels), or NaN. */
  double value(String series) {
    for (String line : metrics.scrapeText().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return Double.NaN;
  }

  /**
   * Waits (at most {@link Await#LIMIT}) until no node runs on an engine thread, then checks that
   * {@code series} has {@code expected} as its value: a node the graph stopped waiting for ends,
   * and records its node and request outcomes, on its own thread after the run returned.
   */
  void awaitValue(String series, double expected) {
    try {
      assertThat(engine.awaitIdle(Await.LIMIT))
          .as("the engine's threads went idle within " + Await.LIMIT)
          .isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the engine's threads", e);
    }
    assertThat(value(series)).as(series).isEqualTo(expected);
  }

  @Override
  public void close() {
    engine.close();
    injector.getInstance(OllamaClient.class).close();
    sim.close();
  }
}
