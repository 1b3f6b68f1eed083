package io.tinyllm.it.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The samples of a Prometheus text exposition (a registry's scrape, a Pushgateway's {@code
 * /metrics}), for assertions on values.
 *
 * <pre>{@code
 * MetricSamples samples = MetricSamples.parse(collector.scrapeText());
 * samples.sum("tinyllm_requests_total", "request_type", "generate");   // 1.0
 * samples.sum("tinyllm_time_to_first_token_seconds_count");            // every series added up
 * }</pre>
 */
public final class MetricSamples {
  private final List<Sample> samples;

  private MetricSamples(List<Sample> samples) {
    this.samples = List.copyOf(samples);
  }

  /** Parses the text format; comments ({@code # HELP}, {@code # TYPE}) and blank lines skipped. */
  public static MetricSamples parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        samples.add(parseLine(line));
      }
    }
    return new MetricSamples(samples);
  }

  /** Every sample, in exposition order. */
  public List<Sample> all() {
    return samples;
  }

  /**
   * The samples named {@code name} (with its suffix: {@code _total}, {@code _count}) carrying every
   * given label (pairs of name and value).
   */
  /**
   * As {@link #series}, without the series still at 0: counters exist at 0 ahead of their first
   * event (so that {@code rate()} sees it), and a test of what some traffic recorded compares only
   * what it recorded.
   */
  public List<Sample> recorded(String name, String... labels) {
    List<Sample> recorded = new ArrayList<>();
    for (Sample sample : series(name, labels)) {
      if (sample.value() != 0) {
        recorded.add(sample);
      }
    }
    return recorded;
  }

  public List<Sample> series(String name, String... labels) {
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in name/value pairs");
    }
    List<Sample> matching = new ArrayList<>();
    for (Sample sample : samples) {
      if (sample.name().equals(name) && sample.has(labels)) {
        matching.add(sample);
      }
    }
    return matching;
  }

  /** The sum of the values of {@link #series}; 0 when there is none. */
  public double sum(String name, String... labels) {
    return series(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  private static Sample parseLine(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    Map<String, String> labels = new TreeMap<>();
    String name;
    int rest;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.substring(0, brace);
      rest = parseLabels(line, brace + 1, labels);
    } else {
      name = line.substring(0, space);
      rest = space;
    }
    // "value" or "value timestamp"
    String[] fields = line.substring(rest).trim().split(" ");
    return new Sample(name, labels, parseValue(fields[0]));
  }

  private static double parseValue(String value) {
    return switch (value) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(value);
    };
  }

  /** Reads {@code a="x",b="y"}} from {@code start}; returns the index after the closing brace. */
  private static int parseLabels(String line, int start, Map<String, String> labels) {
    int i = start;
    while (line.charAt(i) != '}') {
      int equals = line.indexOf('=', i);
      String label = line.substring(i, equals).trim();
      StringBuilder value = new StringBuilder();
      i = equals + 2; // past ="
      while (line.charAt(i) != '"') {
        char c = line.charAt(i);
        if (c == '\\') {
          char escaped = line.charAt(++i);
          value.append(escaped == 'n' ? '\n' : escaped);
        } else {
          value.append(c);
        }
        i++;
      }
      labels.put(label, value.toString());
      i++; // past the closing quote
      if (line.charAt(i) == ',') {
        i++;
      }
    }
    return i + 1;
  }

  /** One sample: its full name, its labels and its value. */
  public record Sample(String name, Map<String, String> labels, double value) {
    public Sample {
      labels = Map.copyOf(labels);
    }

    public String label(String label) {
      return labels.get(label);
    }

    /** The name and labels, e.g. {@code tinyllm_batch_prompts_total{job=..., outcome=success}}. */
    public String series() {
      return name + new TreeMap<>(labels);
    }

    boolean has(String... pairs) {
      for (int i = 0; i < pairs.length; i += 2) {
        if (!pairs[i + 1].equals(labels.get(pairs[i]))) {
          return false;
        }
      }
      return true;
    }
  }
}
