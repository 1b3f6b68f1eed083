package io.tinyllm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The samples of a Prometheus text exposition (format 0.0.4), and PromQL-style aggregation and
 * {@code histogram_quantile} over them.
 *
 * <pre>{@code
 * PrometheusText scrape = PrometheusText.parse(text);
 * Map<String, Double> requests = scrape.sumBy("tinyllm_requests_total", "model");
 * double p95 = PrometheusText.quantile(0.95, scrape.buckets("tinyllm_request_latency_seconds",
 *     s -> s.label("model").equals("qwen2.5:0.5b")));
 * }</pre>
 */
final class PrometheusText {
  /** One sample line: {@code name{labels} value}. */
  record Sample(String name, Map<String, String> labels, double value) {
    String label(String key) {
      return labels.getOrDefault(key, "");
    }
  }

  private final List<Sample> samples;

  private PrometheusText(List<Sample> samples) {
    this.samples = List.copyOf(samples);
  }

  List<Sample> samples() {
    return samples;
  }

  /** Parses {@code text}; comments and blank lines are skipped, a malformed line fails. */
  static PrometheusText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    int lineNumber = 0;
    for (String line : text.split("\n")) {
      lineNumber++;
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      try {
        samples.add(parseLine(trimmed));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "line " + lineNumber + " is not a Prometheus sample: " + abbreviate(trimmed), e);
      }
    }
    return new PrometheusText(samples);
  }

  private static Sample parseLine(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && !Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    String name = line.substring(0, i);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("no metric name");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        while (line.charAt(i) == ' ' || line.charAt(i) == ',') {
          i++;
        }
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq).strip();
        i = eq + 1;
        if (line.charAt(i) != '"') {
          throw new IllegalArgumentException("label value not quoted");
        }
        i++;
        StringBuilder value = new StringBuilder();
        while (line.charAt(i) != '"') {
          char c = line.charAt(i);
          if (c == '\\') {
            char next = line.charAt(++i);
            value.append(next == 'n' ? '\n' : next);
          } else {
            value.append(c);
          }
          i++;
        }
        i++;
        labels.put(key, value.toString());
      }
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    return new Sample(name, labels, parseValue(rest[0]));
  }

  private static double parseValue(String text) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  /**
   * {@code sum by (label) (name)}: the sum of {@code name}'s samples per value of {@code label}.
   */
  Map<String, Double> sumBy(String name, String label) {
    return sumBy(name, label, s -> true);
  }

  Map<String, Double> sumBy(String name, String label, Predicate<Sample> filter) {
    Map<String, Double> sums = new TreeMap<>();
    for (Sample s : samples) {
      if (s.name().equals(name) && filter.test(s)) {
        sums.merge(s.label(label), s.value(), Double::sum);
      }
    }
    return sums;
  }

  /** The sum of all of {@code name}'s samples that pass {@code filter}; NaN when there are none. */
  double sum(String name, Predicate<Sample> filter) {
    double sum = 0;
    boolean any = false;
    for (Sample s : samples) {
      if (s.name().equals(name) && filter.test(s)) {
        sum += s.value();
        any = true;
      }
    }
    return any ? sum : Double.NaN;
  }

  /** Cumulative bucket counts of histogram {@code name} by upper bound, summed over the filter. */
  NavigableMap<Double, Double> buckets(String name, Predicate<Sample> filter) {
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    for (Sample s : samples) {
      if (s.name().equals(name + "_bucket") && filter.test(s)) {
        buckets.merge(parseValue(s.label("le")), s.value(), Double::sum);
      }
    }
    return buckets;
  }

  /**
   * The {@code q}-quantile of a classic histogram as PromQL's {@code histogram_quantile} computes
   * it: linear interpolation within the bucket the rank falls in, the lowest bucket starting at 0,
   * the highest finite bound returned when the rank falls in the {@code +Inf} bucket. NaN without
   * observations.
   */
  static double quantile(double q, NavigableMap<Double, Double> cumulative) {
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (cumulative.size() < 2 || cumulative.lastKey() != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    List<double[]> buckets = new ArrayList<>();
    double max = 0;
    for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
      // counts must not fall from one bucket to the next (they can when scraped mid-update)
      max = Math.max(max, e.getValue());
      buckets.add(new double[] {e.getKey(), max});
    }
    double observations = buckets.get(buckets.size() - 1)[1];
    if (observations == 0) {
      return Double.NaN;
    }
    double rank = q * observations;
    int b = 0;
    while (b < buckets.size() - 1 && buckets.get(b)[1] < rank) {
      b++;
    }
    if (b == buckets.size() - 1) {
      return buckets.get(buckets.size() - 2)[0];
    }
    if (b == 0 && buckets.get(0)[0] <= 0) {
      return buckets.get(0)[0];
    }
    double start = 0;
    double end = buckets.get(b)[0];
    double count = buckets.get(b)[1];
    if (b > 0) {
      start = buckets.get(b - 1)[0];
      count -= buckets.get(b - 1)[1];
      rank -= buckets.get(b - 1)[1];
    }
    return start + (end - start) * (rank / count);
  }

  private static String abbreviate(String text) {
    return text.length() <= 120 ? text : text.substring(0, 117) + "...";
  }
}
