package io.tinyllm.benchmarks;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Item 2 of issue #9, Java side: the three single operations that {@code
 * benchmarks/python/bench_prometheus_client.py} times in the Python project's client, so the two
 * can be put side by side as ratios. Same names, labels and buckets as the script.
 *
 * <p>Latest figures (2026-11-27; KVM guest, 2 vCPUs Intel Xeon family 6 model 207; OpenJDK 17.0.15;
 * JMH 1.37; {@code -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}; load average 0.1 to 2.7; details in
 * {@code docs/performance.md}, item 2):
 *
 * <pre>
 * Benchmark                       ns/op             B/op   Python prometheus_client 0.16.0
 * counterIncResolvedChild         11.162 ± 0.124   ≈ 0    300.263 ± 1.475 ns
 * counterIncWithLabelLookup       20.847 ± 0.761   80     948.840 ± 5.779 ns
 * histogramObserveResolvedChild   34.131 ± 3.933   ≈ 0    760.714 ± 2.942 ns
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClientJavaReferenceBenchmark {
  private final Counter counter =
      Counter.builder().name("bench_requests_total").help("h").labelNames("model").build();
  private final Histogram histogram =
      Histogram.builder()
          .name("bench_latency_seconds")
          .help("h")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(RawOllamaFamilies.REQUEST_LATENCY_BUCKETS)
          .build();
  private CounterDataPoint child;
  private DistributionDataPoint histogramChild;

  @Setup
  public void setUp() {
    child = counter.labelValues("qwen2.5:0.5b");
    histogramChild = histogram.labelValues("qwen2.5:0.5b");
  }

  /** Python: {@code child.inc()}. */
  @Benchmark
  public void counterIncResolvedChild() {
    child.inc();
  }

  /** Python: {@code counter.labels("qwen2.5:0.5b").inc()}. */
  @Benchmark
  public void counterIncWithLabelLookup() {
    counter.labelValues("qwen2.5:0.5b").inc();
  }

  /** Python: {@code histogram_child.observe(0.42)}. */
  @Benchmark
  public void histogramObserveResolvedChild() {
    histogramChild.observe(0.42);
  }
}
