package io.tinyllm.cli.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples of a Prometheus text exposition, parsed, so a test can sum a family over the labels
 * it names and count series.
 */
final class Samples {
  /** One sample line: {@code name{labels} value}. */
  record Sample(String name, Map<String, String> labels, double value) {
    String label(String key) {
      return labels.get(key);
    }
  }

  private final List<Sample> samples;

  private Samples(List<Sample> samples) {
    this.samples = samples;
  }

  static Samples parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      samples.add(parseLine(line));
    }
    return new Samples(List.copyOf(samples));
  }

  private static Sample parseLine(String line) {
    int brace = line.indexOf('{');
    int space = line.indexOf(' ');
    Map<String, String> labels = new LinkedHashMap<>();
    String name;
    int rest;
    if (brace >= 0 && brace < space) {
      name = line.substring(0, brace);
      int i = brace + 1;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq);
        StringBuilder value = new StringBuilder();
        int j = eq + 2; // past ="
        while (line.charAt(j) != '"') {
          char c = line.charAt(j);
          if (c == '\\') {
            char next = line.charAt(j + 1);
            value.append(next == 'n' ? '\n' : next);
            j += 2;
          } else {
            value.append(c);
            j++;
          }
        }
        labels.put(key, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      rest = i + 2;
    } else {
      name = line.substring(0, space);
      rest = space + 1;
    }
    String[] value = line.substring(rest).trim().split(" ");
    return new Sample(name, Map.copyOf(labels), parseValue(value[0]));
  }

  private static double parseValue(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  List<Sample> all() {
    return samples;
  }

  /** Samples named {@code name} whose labels include every pair of {@code labels} (k, v, ...). */
  List<Sample> find(String name, String... labels) {
    List<Sample> found = new ArrayList<>();
    for (Sample sample : samples) {
      if (sample.name().equals(name) && matches(sample, labels)) {
        found.add(sample);
      }
    }
    return found;
  }

  /** The sum of the matching samples; 0 when there are none (a counter not yet touched). */
  double sum(String name, String... labels) {
    return find(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  /** Like {@link #sum} as a whole number, for counters. */
  long count(String name, String... labels) {
    return Math.round(sum(name, labels));
  }

  /** Number of series whose name starts with {@code prefix}. */
  int series(String prefix) {
    return (int) samples.stream().filter(s -> s.name().startsWith(prefix)).count();
  }

  private static boolean matches(Sample sample, String... labels) {
    for (int i = 0; i + 1 < labels.length; i += 2) {
      if (!labels[i + 1].equals(sample.labels().get(labels[i]))) {
        return false;
      }
    }
    return true;
  }
}
