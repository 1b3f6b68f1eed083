package io.tinyllm.benchmarks;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.metrics.MetricSet;
import java.util.ArrayList;
import java.util.List;

/**
 * A metric set of {@code series} counter series spread over ten families ({@code
 * bench_counter_<f>_total{series="s<i>"}}), the shape {@code bench_prometheus_client.py} exposes
 * too.
 */
final class SyntheticCounters implements MetricSet {
  static final int FAMILIES = 10;

  private final List<Counter> counters = new ArrayList<>();

  SyntheticCounters(int series) {
    for (int f = 0; f < FAMILIES; f++) {
      counters.add(
          Counter.builder()
              .name("bench_counter_" + f + "_total")
              .help("Synthetic counter family " + f)
              .labelNames("series")
              .build());
    }
    for (int i = 0; i < series; i++) {
      counters.get(i % FAMILIES).labelValues("s" + i).inc(i);
    }
  }

  @Override
  public List<Collector> collectors() {
    return List.copyOf(counters);
  }
}
