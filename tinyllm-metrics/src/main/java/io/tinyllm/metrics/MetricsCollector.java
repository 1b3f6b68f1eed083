package io.tinyllm.metrics;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tinyllm.api.error.PluginException;
import io.tinyllm.metrics.exporter.ExporterException;
import io.tinyllm.metrics.exporter.MetricsExporter;
import io.tinyllm.metrics.exporter.MetricsExporterFactory;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The metrics facade: owns the shared registry, registers every contributed {@link MetricSet} in it
 * exactly once, scrapes it, and starts and stops the exporters named in {@code metrics.exporters}.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(Plugins.combine(Plugins.discover(loader)));
 * MetricsCollector metrics = injector.getInstance(MetricsCollector.class);
 * metrics.start();                 // exporters from config, e.g. http on 127.0.0.1:9478
 * String text = metrics.scrapeText();
 * metrics.close();                 // stops exporters; the Pushgateway gets a final push
 * }</pre>
 *
 * <p>Two sets claiming one metric name fail here, at start, naming both owners.
 */
@Singleton
public final class MetricsCollector implements AutoCloseable {
  private final PrometheusRegistry registry;
  private final Map<String, MetricsExporterFactory> factories;
  private final MetricsConfig config;
  private final Map<String, String> owners = new LinkedHashMap<>();
  private final Map<String, MetricsExporter> running = new LinkedHashMap<>();

  @Inject
  public MetricsCollector(
      PrometheusRegistry registry,
      Set<MetricSet> sets,
      Map<String, MetricsExporterFactory> factories,
      MetricsConfig config,
      CollectionErrors collectionErrors) {
    this.registry = requireNonNull(registry, "registry is null");
    this.factories = Map.copyOf(requireNonNull(factories, "factories is null"));
    this.config = requireNonNull(config, "config is null");
    List<MetricSet> ordered = new ArrayList<>(sets);
    ordered.sort(Comparator.comparing(s -> s.getClass().getName()));
    for (MetricSet set : ordered) {
      register(set, collectionErrors);
      collectionErrors.watching(set);
    }
    if (config.jvmMetrics()) {
      JvmMetrics.builder(PrometheusProperties.builder().build()).register(registry);
    }
  }

  private void register(MetricSet set, CollectionFailureHandler failures) {
    GuardedMetricSet guarded = new GuardedMetricSet(set, failures);
    String owner = set.getClass().getName();
    for (String name : guarded.names()) {
      String previous = owners.get(name);
      if (previous != null) {
        throw new PluginException(
            "Metric '"
                + name
                + "' is contributed by both "
                + previous
                + " and "
                + owner
                + "; each metric name must have one owner");
      }
    }
    guarded.names().forEach(name -> owners.put(name, owner));
    registry.register(guarded);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The names of every registered family, mapped to the class of the set that owns it. */
  public Map<String, String> owners() {
    return Map.copyOf(owners);
  }

  public MetricSnapshots scrape() {
    return registry.scrape();
  }

  /** The registry in the Prometheus text format, as {@code /metrics} serves it by default. */
  public String scrapeText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Starts every exporter named in {@code metrics.exporters}. */
  public synchronized void start() {
    for (String name : config.exporters()) {
      start(name);
    }
  }

  /** Starts the exporter called {@code name}, if not running yet, and returns it. */
  public synchronized MetricsExporter start(String name) {
    MetricsExporter exporter = running.get(name);
    if (exporter != null) {
      return exporter;
    }
    MetricsExporterFactory factory = factories.get(name);
    if (factory == null) {
      throw new ExporterException(
          "Unknown metrics exporter '"
              + name
              + "' (setting '"
              + MetricsConfig.EXPORTERS
              + "'); known exporters: "
              + new TreeSet<>(factories.keySet()));
    }
    exporter = factory.create(registry);
    exporter.start();
    running.put(name, exporter);
    return exporter;
  }

  /** The running exporter of type {@code type}, if any. */
  public synchronized <T extends MetricsExporter> Optional<T> exporter(Class<T> type) {
    return running.values().stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  /** Stops the exporters in reverse start order. */
  @Override
  public synchronized void close() {
    List<MetricsExporter> toClose = new ArrayList<>(running.values());
    running.clear();
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }
}
