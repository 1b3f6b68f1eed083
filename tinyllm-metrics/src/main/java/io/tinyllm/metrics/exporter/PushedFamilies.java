package io.tinyllm.metrics.exporter;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tinyllm.api.error.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which families a push carries: a job's results, not the state of the process that ran it. A gauge
 * pushed by a job that has ended stays on the Pushgateway until it is deleted, so a pushed
 * inventory or info gauge would count the job's process as still running.
 *
 * <pre>{@code
 * PushedFamilies only = PushedFamilies.of(List.of("tinyllm_batch_*", "tinyllm_requests_total"));
 * only.includes("tinyllm_batch_duration_seconds"); // true
 * only.includes("tinyllm_system_info");            // false
 * }</pre>
 *
 * @param entries family names as exposed (counters with {@code _total}, info with {@code _info}),
 *     or prefixes ending in {@code *}; empty means every family
 */
public record PushedFamilies(List<String> entries) {
  /** More would be a list nobody reads; the bound keeps a bad setting from costing a push. */
  static final int MAX_ENTRIES = 200;

  private static final Pattern ENTRY = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]{0,199}\\*?");
  private static final PushedFamilies ALL = new PushedFamilies(List.of());

  public PushedFamilies {
    entries = List.copyOf(requireNonNull(entries, "entries is null"));
  }

  /** Every family of the registry. */
  public static PushedFamilies all() {
    return ALL;
  }

  public static PushedFamilies of(List<String> entries) {
    return parse("families", String.join(",", entries));
  }

  /** Parses a comma-separated list; a bad entry is a {@link ConfigException} naming it. */
  static PushedFamilies parse(String key, String text) {
    String[] parts = text.split(",", MAX_ENTRIES + 1);
    if (parts.length > MAX_ENTRIES) {
      throw new ConfigException(
          "Setting '" + key + "' lists more than " + MAX_ENTRIES + " families");
    }
    List<String> entries = new ArrayList<>();
    for (String part : parts) {
      String entry = part.strip();
      if (entry.isEmpty()) {
        continue;
      }
      if (!ENTRY.matcher(entry).matches()) {
        throw new ConfigException(
            "Invalid entry '"
                + (entry.length() > 60 ? entry.substring(0, 60) + "..." : entry)
                    .replaceAll("\\p{Cntrl}", "?")
                + "' in setting '"
                + key
                + "': expected a metric family name, or a prefix ending in '*'");
      }
      entries.add(entry);
    }
    return new PushedFamilies(entries);
  }

  /** Whether the family exposed as {@code name} is pushed. */
  public boolean includes(String name) {
    if (entries.isEmpty()) {
      return true;
    }
    for (String entry : entries) {
      boolean prefix = entry.endsWith("*");
      if (prefix ? name.startsWith(entry.substring(0, entry.length() - 1)) : name.equals(entry)) {
        return true;
      }
    }
    return false;
  }

  /** The snapshots of the families pushed, in their order. */
  MetricSnapshots filter(MetricSnapshots snapshots) {
    if (entries.isEmpty()) {
      return snapshots;
    }
    MetricSnapshots.Builder kept = MetricSnapshots.builder();
    for (MetricSnapshot snapshot : snapshots) {
      if (includes(exposedName(snapshot))) {
        kept.metricSnapshot(snapshot);
      }
    }
    return kept.build();
  }

  /** The family name a scrape shows: client_java keeps counters and infos without the suffix. */
  private static String exposedName(MetricSnapshot snapshot) {
    String name = snapshot.getMetadata().getPrometheusName();
    if (snapshot instanceof CounterSnapshot) {
      return name + "_total";
    }
    if (snapshot instanceof InfoSnapshot) {
      return name + "_info";
    }
    return name;
  }

  @Override
  public String toString() {
    return entries.isEmpty() ? "all" : String.join(",", entries);
  }
}
