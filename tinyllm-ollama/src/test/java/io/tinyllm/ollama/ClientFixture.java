package io.tinyllm.ollama;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.time.Ticker;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.testing.Exposition;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A simulator on an ephemeral loopback port, a client pointed at it with small timeouts and
 * backoffs, and a fresh registry holding only this client's metrics.
 */
final class ClientFixture implements AutoCloseable {
  final OllamaSimulator sim;
  final OllamaClient client;
  final OllamaMetrics metrics;
  final PrometheusRegistry registry = new PrometheusRegistry();

  private ClientFixture(OllamaSimulator sim, Map<String, String> settings) {
    this(sim, settings, System::nanoTime);
  }

  private ClientFixture(OllamaSimulator sim, Map<String, String> settings, LongSupplier clock) {
    this(sim, settings, clock, Ticker.system());
  }

  private ClientFixture(
      OllamaSimulator sim, Map<String, String> settings, LongSupplier clock, Ticker metricsTicker) {
    this.sim = sim;
    Map<String, String> all = new HashMap<>(testDefaults());
    all.putAll(settings);
    all.put(OllamaConfig.HOST, sim.baseUri().toString());
    OllamaConfig config = OllamaConfig.from(Settings.of(all), Map.of());
    this.metrics = new OllamaMetrics(new LabelGuard(100, 128), config, metricsTicker);
    metrics.sets().forEach(set -> set.collectors().forEach(registry::register));
    this.client = new OllamaClient(config, metrics, clock);
  }

  /** Timeouts and backoffs small enough for tests; no rate limit unless a test asks. */
  static Map<String, String> testDefaults() {
    return Map.of(
        OllamaConfig.CONNECT_TIMEOUT, "2s",
        OllamaConfig.REQUEST_TIMEOUT, "10s",
        OllamaConfig.STREAM_IDLE_TIMEOUT, "5s",
        OllamaConfig.RETRY_INITIAL_BACKOFF, "10ms",
        OllamaConfig.RETRY_MAX_BACKOFF, "50ms",
        OllamaConfig.RATE_LIMIT_ENABLED, "false");
  }

  static ClientFixture start() {
    return start(SimulatorConfig.builder().timeScale(0.01).build(), Map.of());
  }

  static ClientFixture start(Map<String, String> settings) {
    return start(SimulatorConfig.builder().timeScale(0.01).build(), settings);
  }

  static ClientFixture start(SimulatorConfig simConfig, Map<String, String> settings) {
    return start(simConfig, settings, System::nanoTime);
  }

  /** A client whose rate limiter and breakers read {@code clock}, so their waits are exact. */
  static ClientFixture start(
      SimulatorConfig simConfig, Map<String, String> settings, LongSupplier clock) {
    try {
      return new ClientFixture(OllamaSimulator.start(simConfig), settings, clock);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A client whose metrics read {@code metricsTicker} (its rate limiter and breakers read the
   * system clock).
   */
  static ClientFixture startTimedBy(
      SimulatorConfig simConfig, Map<String, String> settings, Ticker metricsTicker) {
    try {
      return new ClientFixture(
          OllamaSimulator.start(simConfig), settings, System::nanoTime, metricsTicker);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The whole registry in the Prometheus text format. */
  String scrape() {
    return scrape(registry);
  }

  static String scrape(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The exposition of one family as exposed ({@code # HELP} line first), or "" if absent. */
  String family(String name) {
    return family(scrape(), name);
  }

  static String family(String text, String name) {
    for (String block : blocks(text)) {
      if (block.startsWith("# HELP " + name + " ")) {
        return block;
      }
    }
    return "";
  }

  /**
   * The family's sample lines only (no HELP/TYPE), without the counter and histogram series still
   * at 0: those are exposed ahead of their first event (pinned by {@code ZeroSeriesTest}), and a
   * test of what traffic recorded reads only what it recorded.
   */
  String samples(String name) {
    return recorded(family(name));
  }

  /** The sample lines of one family's exposition, less its counter and histogram zero series. */
  static String recorded(String family) {
    return Exposition.withoutZeroSeries(family);
  }

  /** The value of the sample line starting with {@code series} (name and labels), or NaN. */
  double value(String series) {
    for (String line : scrape().split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return Double.NaN;
  }

  private static List<String> blocks(String text) {
    List<String> blocks = new ArrayList<>();
    StringBuilder current = null;
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("# HELP ")) {
        if (current != null) {
          blocks.add(current.toString());
        }
        current = new StringBuilder();
      }
      if (current != null && !line.isEmpty()) {
        current.append(line).append('\n');
      }
    }
    if (current != null) {
      blocks.add(current.toString());
    }
    return blocks;
  }

  @Override
  public void close() {
    client.close();
    sim.close();
  }
}
