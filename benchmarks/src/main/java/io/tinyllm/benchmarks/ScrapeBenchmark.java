package io.tinyllm.benchmarks;

import com.google.inject.Injector;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.metrics.MetricsCollector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Item 3 of issue #9, in process: scraping our registry (each plug-in's set wrapped so a failing
 * set cannot break the scrape) against client_java's writer on a bare registry holding the very
 * same collectors, in the text and protobuf formats.
 *
 * <ul>
 *   <li>{@code registry=demo}: every plug-in after {@link DemoStack#runWorkload()}.
 *   <li>{@code registry=1000|10000|100000}: that many counter series ({@link SyntheticCounters}),
 *       plus the metrics plug-in's own small families.
 * </ul>
 *
 * <p>{@code library*} writes the bare registry; {@code ours*} writes {@code
 * MetricsCollector.registry()}; {@link #oursScrapeText} is the facade's {@code scrapeText()}, which
 * also builds a {@code String}. Output goes to a reused buffer, as the HTTP server's is.
 *
 * <p>Latest figures (2026-11-27; KVM guest, 2 vCPUs Intel Xeon family 6 model 207; OpenJDK 17.0.15;
 * JMH 1.37; {@code -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}; load average 0.1 to 2.7; details in
 * {@code docs/performance.md}, item 3):
 *
 * <pre>
 * registry   libraryText µs          oursText µs             libraryProtobuf µs      oursProtobuf µs
 * demo          323.566 ±    87.362     398.358 ±   555.590     119.315 ±    19.351     115.467 ±    41.258
 * 1000          571.074 ±    20.450     595.434 ±   217.448     650.527 ±   583.014     516.143 ±    14.367
 * 10000        9242.057 ±   564.672    9927.720 ±   709.272    9307.906 ±  1334.284    8491.018 ±  1068.497
 * 100000     163012.730 ± 40564.613  149999.529 ± 25572.538  164837.935 ± 28850.134  157726.741 ±  4083.007
 * oursScrapeText µs: demo 356.637 ± 8.246, 1000 636.726 ± 37.814, 10000 11192.627 ± 2500.864,
 * 100000 316434.000 ± 423521.468
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ScrapeBenchmark {
  @Param({"demo", "1000", "10000", "100000"})
  public String registry;

  private DemoStack demo;
  private MetricsCollector ours;
  private PrometheusRegistry bare;
  private final PrometheusTextFormatWriter text =
      ExpositionFormats.init().getPrometheusTextFormatWriter();
  private final PrometheusProtobufWriter protobuf =
      ExpositionFormats.init().getPrometheusProtobufWriter();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Injector injector;
    if (registry.equals("demo")) {
      demo = new DemoStack().runWorkload();
      injector = demo.injector();
    } else {
      injector = Registries.metricsOnly(new SyntheticCounters(Integer.parseInt(registry)));
    }
    ours = injector.getInstance(MetricsCollector.class);
    bare = Registries.bare(Registries.metricSets(injector));
    System.out.printf(
        "%n[registry=%s] text %d B (ours %d B), protobuf %d B%n",
        registry, textSize(bare), textSize(ours.registry()), protobufSize(bare));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (demo != null) {
      demo.close();
    }
  }

  @Benchmark
  public int libraryText() throws IOException {
    out.reset();
    text.write(out, bare.scrape());
    return out.size();
  }

  @Benchmark
  public int oursText() throws IOException {
    out.reset();
    text.write(out, ours.registry().scrape());
    return out.size();
  }

  @Benchmark
  public String oursScrapeText() {
    return ours.scrapeText();
  }

  @Benchmark
  public int libraryProtobuf() throws IOException {
    out.reset();
    protobuf.write(out, bare.scrape());
    return out.size();
  }

  @Benchmark
  public int oursProtobuf() throws IOException {
    out.reset();
    protobuf.write(out, ours.registry().scrape());
    return out.size();
  }

  private int textSize(PrometheusRegistry r) throws IOException {
    out.reset();
    text.write(out, r.scrape());
    return out.size();
  }

  private int protobufSize(PrometheusRegistry r) throws IOException {
    out.reset();
    protobuf.write(out, r.scrape());
    return out.size();
  }
}
