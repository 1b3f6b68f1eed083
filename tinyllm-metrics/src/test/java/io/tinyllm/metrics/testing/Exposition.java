package io.tinyllm.metrics.testing;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape(names::contains), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
