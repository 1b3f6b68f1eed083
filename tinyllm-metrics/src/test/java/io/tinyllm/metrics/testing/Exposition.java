package io.tinyllm.metrics.testing;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The Prometheus text exposition of chosen families, for whole-text comparisons in tests. */
public final class Exposition {
  private Exposition() {}

  /**
   * The text format of the families whose Prometheus names (without {@code _total}, {@code _info})
   * are given, as {@code /metrics} would serve them.
   */
  public static String text(PrometheusRegistry registry, String... prometheusNames) {
    Set<String> names = Set.of(prometheusNames);
    return write(registry.scrape(names::contains));
  }

  /**
   * As {@link #text}, without the labelled counter and histogram series still at 0 (a family left
   * with none is left out): those exist ahead of their first event, so that {@code rate()} sees it,
   * and a test of what some traffic recorded compares only what it recorded.
   */
  public static String recorded(PrometheusRegistry registry, String... prometheusNames) {
    Set<String> names = Set.of(prometheusNames);
    MetricSnapshots.Builder kept = MetricSnapshots.builder();
    for (MetricSnapshot snapshot : registry.scrape(names::contains)) {
      MetricSnapshot without = withoutZeros(snapshot);
      if (!without.getDataPoints().isEmpty()) {
        kept.metricSnapshot(without);
      }
    }
    return write(kept.build());
  }

  /**
   * The sample lines of a text exposition less its counter and histogram series still at 0 (see
   * {@link #recorded}); comments are dropped.
   */
  public static String withoutZeroSeries(String exposition) {
    List<String> lines = new ArrayList<>();
    Set<String> unused = new HashSet<>();
    String type = "";
    for (String line : exposition.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        type = line.substring(line.lastIndexOf(' ') + 1);
        continue;
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      lines.add(line);
      String series = line.substring(0, line.lastIndexOf(' '));
      boolean zero = line.endsWith(" 0.0") || line.endsWith(" 0");
      boolean counted =
          type.equals("counter")
              || (type.equals("histogram") && seriesName(series).endsWith("_count"));
      if (zero && counted && seriesKey(series).contains("{")) {
        unused.add(seriesKey(series));
      }
    }
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      if (!unused.contains(seriesKey(line.substring(0, line.lastIndexOf(' '))))) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }

  private static String seriesName(String series) {
    int brace = series.indexOf('{');
    return brace < 0 ? series : series.substring(0, brace);
  }

  /** A series' key across a histogram's lines: suffix and {@code le} dropped. */
  private static String seriesKey(String series) {
    return series
        .replaceFirst("_(bucket|count|sum)(\\{|$)", "$2")
        .replaceFirst(",?le=\"[^\"]*\"", "")
        .replace("{}", "");
  }

  private static MetricSnapshot withoutZeros(MetricSnapshot snapshot) {
    if (snapshot instanceof CounterSnapshot counter) {
      return new CounterSnapshot(
          counter.getMetadata(),
          counter.getDataPoints().stream()
              .filter(p -> p.getValue() != 0 || p.getLabels().isEmpty())
              .toList());
    }
    if (snapshot instanceof HistogramSnapshot histogram) {
      return new HistogramSnapshot(
          histogram.isGaugeHistogram(),
          histogram.getMetadata(),
          histogram.getDataPoints().stream()
              .filter(p -> p.getCount() != 0 || p.getLabels().isEmpty())
              .toList());
    }
    return snapshot;
  }

  private static String write(MetricSnapshots snapshots) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, snapshots, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
