package io.tinyllm.benchmarks;

import com.google.inject.Injector;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
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
 * Item 3 of issue #9, end to end: {@code GET /metrics} from our {@link HttpMetricsExporter} over
 * loopback with the JDK's {@link HttpClient} on a kept-alive HTTP/1.1 connection, text format.
 *
 * <p>{@code nodelay} is {@code sun.net.httpserver.nodelay}, set before the JDK HTTP server is first
 * used in the fork (JMH runs every parameter combination in its own fork; with {@code -f 0} this
 * parameter has no effect). {@code false} is the JDK default; the simulator's class sets {@code
 * true} only when the property is unset, so it does not interfere.
 *
 * <p>{@code registry}: {@code small} (the metrics plug-in's own families and 10 counters), {@code
 * demo} (see {@link DemoStack}), {@code 10000} counter series.
 *
 * <p>Latest figures (2026-11-27; KVM guest, 2 vCPUs Intel Xeon family 6 model 207; OpenJDK 17.0.15;
 * JMH 1.37; {@code -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}; load average 0.1 to 2.7; details in
 * {@code docs/performance.md}, item 3, HTTP):
 *
 * <pre>
 * registry (body)   nodelay=false µs        nodelay=true µs
 * small (1536 B)    44529.602 ±   743.807     547.328 ±   563.602
 * demo (43 kB)      45121.341 ±  1021.558    1558.589 ±   178.802
 * 10000 (449 kB)    14025.673 ±  3705.360   13435.627 ±  3421.279
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HttpScrapeBenchmark {
  private static final String NODELAY = "sun.net.httpserver.nodelay";

  @Param({"false", "true"})
  public String nodelay;

  @Param({"small", "demo", "10000"})
  public String registry;

  private DemoStack demo;
  private HttpMetricsExporter exporter;
  private HttpClient client;
  private HttpRequest scrape;

  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    System.setProperty(NODELAY, nodelay);
    Injector injector;
    switch (registry) {
      case "small" -> injector = Registries.metricsOnly(new SyntheticCounters(10));
      case "demo" -> {
        demo = new DemoStack().runWorkload();
        injector = demo.injector();
      }
      default ->
          injector = Registries.metricsOnly(new SyntheticCounters(Integer.parseInt(registry)));
    }
    MetricsCollector metrics = injector.getInstance(MetricsCollector.class);
    exporter =
        new HttpMetricsExporter(
            metrics.registry(),
            new HttpExporterConfig(
                "127.0.0.1",
                0,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
    exporter.start();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    scrape = HttpRequest.newBuilder(URI.create(exporter.uri().toString())).GET().build();
    System.out.printf(
        "%n[%s=%s registry=%s] /metrics body %d B%n",
        NODELAY, System.getProperty(NODELAY), registry, get().length);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    exporter.close();
    if (demo != null) {
      demo.close();
    }
  }

  @Benchmark
  public byte[] httpGetMetrics() throws IOException, InterruptedException {
    return get();
  }

  private byte[] get() throws IOException, InterruptedException {
    HttpResponse<byte[]> response = client.send(scrape, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET /metrics answered " + response.statusCode());
    }
    return response.body();
  }
}
