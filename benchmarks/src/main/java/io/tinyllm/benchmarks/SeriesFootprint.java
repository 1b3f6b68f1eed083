package io.tinyllm.benchmarks;

import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.MetricSet;
import io.tinyllm.ollama.OllamaMetrics;
import io.tinyllm.ollama.RequestType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Retained heap per series: a registry of {@code n} series is built and the heap in use after a
 * full GC is compared with the heap before. Not a JMH benchmark; run it on its own, with a
 * stop-the-world collector so that {@link System#gc()} leaves only live objects:
 *
 * <pre>
 * java -XX:+UseSerialGC -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar \
 *   io.tinyllm.benchmarks.SeriesFootprint [SIZE...]
 * </pre>
 *
 * <p>Each row is measured {@value #REPEATS} times, each time in a new JVM started with this one's
 * options; the table gives the median and the range. Rows:
 *
 * <ul>
 *   <li>{@code counter}, {@code histogram}: one client_java family with one label, {@code n} label
 *       values ({@code "s0"}, {@code "s1"}, ...), each data point incremented or observed once,
 *       with the library's default exemplar sampling and without it ({@code withoutExemplars()}).
 *       The histogram has the 15 classic buckets of the request latency (16 with {@code +Inf}).
 *   <li>{@code ours}: {@link OllamaMetrics} after one streamed, successful request on each of
 *       {@code n / 10} models (one graph, one node), through the {@link LabelGuard}.
 *   <li>{@code library}: the same data points (names, labels, label values, buckets) as {@code
 *       ours}, made with plain client_java families from the snapshot of {@code ours}.
 * </ul>
 *
 * <p>"Data points" are label sets; "exposed series" counts the sample lines of the text format (a
 * classic histogram's data point is its buckets, {@code _count} and {@code _sum}). The retained
 * bytes include the label value strings.
 */
public final class SeriesFootprint {
  private static final double[] BUCKETS = {
    .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300
  };
  private static final int REPEATS = 3;
  private static final List<String> KINDS =
      List.of(
          "counter",
          "counter-no-exemplars",
          "histogram",
          "histogram-no-exemplars",
          "ours",
          "library");

  /** What is being measured, in a static field so that no stack slot keeps an old one alive. */
  private static Object held;

  private SeriesFootprint() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length == 3 && args[0].equals("--one")) {
      one(args[1], Integer.parseInt(args[2]));
      return;
    }
    int[] sizes =
        args.length == 0
            ? new int[] {1_000, 10_000, 100_000}
            : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    System.out.printf(
        Locale.ROOT,
        "# java %s, %s, max heap %d MiB, one JVM per row, median of %d (min … max)%n",
        System.getProperty("java.vm.version"),
        ManagementFactory.getGarbageCollectorMXBeans().get(0).getName(),
        Runtime.getRuntime().maxMemory() >> 20,
        REPEATS);
    System.out.println(
        "| registry | n | data points | exposed series | retained bytes | B / data point"
            + " | B / exposed series |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (String kind : KINDS) {
      for (int n : sizes) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < REPEATS; i++) {
          lines.add(child(kind, n));
        }
        System.out.println(row(kind, n, lines));
        System.out.flush();
      }
    }
  }

  /** Runs {@code --one kind n} in a JVM with this one's options and class path. */
  private static String child(String kind, int n) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            SeriesFootprint.class.getName(),
            "--one",
            kind,
            String.valueOf(n)));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
    }
    return out.strip();
  }

  /** A table row from the children's lines: data points, exposed series, retained bytes. */
  private static String row(String kind, int n, List<String> lines) {
    long points = -1;
    long exposed = -1;
    long[] bytes = new long[lines.size()];
    for (int i = 0; i < bytes.length; i++) {
      long[] v = Arrays.stream(lines.get(i).split(" ")).mapToLong(Long::parseLong).toArray();
      if (points >= 0 && (v[0] != points || v[1] != exposed)) {
        throw new IllegalStateException("runs of " + kind + " differ: " + lines);
      }
      points = v[0];
      exposed = v[1];
      bytes[i] = v[2];
    }
    Arrays.sort(bytes);
    long median = bytes[bytes.length / 2];
    return String.format(
        Locale.ROOT,
        "| %s | %d | %d | %d | %d (%d … %d) | %.1f | %.1f |",
        name(kind, n),
        n,
        points,
        exposed,
        median,
        bytes[0],
        bytes[bytes.length - 1],
        (double) median / points,
        (double) median / exposed);
  }

  private static String name(String kind, int n) {
    return switch (kind) {
      case "counter" -> "client_java counter, 1 label";
      case "counter-no-exemplars" -> "client_java counter, 1 label, `withoutExemplars()`";
      case "histogram" -> "client_java histogram, 1 label, 16 buckets";
      case "histogram-no-exemplars" ->
          "client_java histogram, 1 label, 16 buckets, `withoutExemplars()`";
      case "ours" -> "ours: `OllamaMetrics`, " + models(n) + " models";
      case "library" -> "library: the same data points, plain client_java";
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static int models(int n) {
    return Math.max(1, n / 10);
  }

  /**
   * Measures one kind at size {@code n} in this JVM and prints one line: data points, exposed
   * series, retained bytes.
   */
  private static void one(String kind, int n) {
    IntFunction<Object> build;
    switch (kind) {
      case "counter" -> build = m -> counters(m, true);
      case "counter-no-exemplars" -> build = m -> counters(m, false);
      case "histogram" -> build = m -> histograms(m, true);
      case "histogram-no-exemplars" -> build = m -> histograms(m, false);
      case "ours" -> build = m -> ours(models(m));
      case "library" -> {
        // the data points of ours, as a snapshot that stays while the copies are measured
        MetricSnapshots snapshots = ours(models(n)).registry().scrape();
        build = m -> mirror(snapshots);
      }
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    }
    // class loading and static state out of the way first
    held = build.apply(Math.min(n, 100));
    held = null;
    // A data point's exemplar sampler schedules a task (client_java's Scheduler, at most 90 ms
    // ahead) that keeps the sampler reachable until it has run: let those of the data points made
    // so far run before the heap is read, or it would still hold part of them.
    sleep(Duration.ofMillis(500));
    long before = usedAfterGc();
    held = build.apply(n);
    // the same for the tasks of the new data points, which are not part of what they retain
    sleep(Duration.ofMillis(500));
    long after = usedAfterGc();
    MetricSnapshots snapshots =
        (held instanceof Ours ours ? ours.registry() : (PrometheusRegistry) held).scrape();
    System.out.println(
        dataPoints(snapshots) + " " + exposedSeries(snapshots) + " " + (after - before));
  }

  private static PrometheusRegistry counters(int n, boolean exemplars) {
    PrometheusRegistry registry = new PrometheusRegistry();
    Counter.Builder builder =
        Counter.builder()
            .name("footprint_total")
            .help("Counter of the footprint run")
            .labelNames("series");
    Counter counter = (exemplars ? builder : builder.withoutExemplars()).register(registry);
    for (int i = 0; i < n; i++) {
      counter.labelValues("s" + i).inc();
    }
    return registry;
  }

  private static PrometheusRegistry histograms(int n, boolean exemplars) {
    PrometheusRegistry registry = new PrometheusRegistry();
    Histogram.Builder builder =
        Histogram.builder()
            .name("footprint_seconds")
            .help("Histogram of the footprint run")
            .labelNames("series")
            .classicOnly()
            .classicUpperBounds(BUCKETS);
    Histogram histogram = (exemplars ? builder : builder.withoutExemplars()).register(registry);
    for (int i = 0; i < n; i++) {
      histogram.labelValues("s" + i).observe(0.2);
    }
    return registry;
  }

  /** {@link OllamaMetrics} and its guard, in a registry of their own. */
  private record Ours(OllamaMetrics metrics, LabelGuard guard, PrometheusRegistry registry) {}

  /** {@link OllamaMetrics} after one streamed, successful request on each of {@code models}. */
  private static Ours ours(int models) {
    LabelGuard guard = new LabelGuard(Integer.MAX_VALUE, 200);
    OllamaMetrics metrics = new OllamaMetrics(guard, Duration.ofMillis(100));
    try (ExecutionContext.Scope scope = ExecutionContext.open("graph", "node")) {
      for (int m = 0; m < models; m++) {
        String model = "model-" + m + ":latest";
        OllamaMetrics.Call call = metrics.requestStarted(model, RequestType.GENERATE_STREAM);
        call.outputReceived();
        call.outputReceived();
        call.succeeded(
            new LlmResponse(
                model,
                "answer",
                null,
                "stop",
                10,
                20,
                Duration.ofMillis(900),
                Duration.ofMillis(300),
                Duration.ofMillis(100),
                Duration.ofMillis(500)));
      }
    }
    PrometheusRegistry registry = new PrometheusRegistry();
    for (MetricSet set : metrics.sets()) {
      for (Collector collector : set.collectors()) {
        registry.register(collector);
      }
    }
    return new Ours(metrics, guard, registry);
  }

  /**
   * Plain client_java families holding the counter, gauge and histogram data points of {@code
   * snapshots}, with their own copy of each distinct label value (shared by the data points that
   * have it, as an application using client_java directly would share its model names).
   */
  private static PrometheusRegistry mirror(MetricSnapshots snapshots) {
    PrometheusRegistry registry = new PrometheusRegistry();
    Map<String, String> copies = new HashMap<>();
    for (MetricSnapshot snapshot : snapshots) {
      if (snapshot.getDataPoints().isEmpty()) {
        continue;
      }
      String name = snapshot.getMetadata().getName();
      String help = snapshot.getMetadata().getHelp();
      String[] labelNames = labelNames(snapshot.getDataPoints().get(0).getLabels());
      if (snapshot instanceof CounterSnapshot counters) {
        Counter counter =
            Counter.builder().name(name).help(help).labelNames(labelNames).register(registry);
        for (CounterSnapshot.CounterDataPointSnapshot point : counters.getDataPoints()) {
          counter.labelValues(labelValues(point.getLabels(), copies)).inc(point.getValue());
        }
      } else if (snapshot instanceof GaugeSnapshot gauges) {
        Gauge gauge =
            Gauge.builder().name(name).help(help).labelNames(labelNames).register(registry);
        for (GaugeSnapshot.GaugeDataPointSnapshot point : gauges.getDataPoints()) {
          gauge.labelValues(labelValues(point.getLabels(), copies)).set(point.getValue());
        }
      } else if (snapshot instanceof HistogramSnapshot histograms) {
        ClassicHistogramBuckets buckets = histograms.getDataPoints().get(0).getClassicBuckets();
        double[] bounds = new double[buckets.size() - 1];
        for (int i = 0; i < bounds.length; i++) {
          bounds[i] = buckets.getUpperBound(i);
        }
        Histogram histogram =
            Histogram.builder()
                .name(name)
                .help(help)
                .labelNames(labelNames)
                .classicOnly()
                .classicUpperBounds(bounds)
                .register(registry);
        for (HistogramSnapshot.HistogramDataPointSnapshot point : histograms.getDataPoints()) {
          histogram.labelValues(labelValues(point.getLabels(), copies)).observe(point.getSum());
        }
      } else {
        throw new IllegalStateException("no mirror for " + snapshot.getClass().getSimpleName());
      }
    }
    return registry;
  }

  private static String[] labelNames(Labels labels) {
    String[] names = new String[labels.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = labels.getName(i);
    }
    return names;
  }

  private static String[] labelValues(Labels labels, Map<String, String> copies) {
    String[] values = new String[labels.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = copies.computeIfAbsent(labels.getValue(i), String::new);
    }
    return values;
  }

  private static long dataPoints(MetricSnapshots snapshots) {
    long points = 0;
    for (MetricSnapshot snapshot : snapshots) {
      points += snapshot.getDataPoints().size();
    }
    return points;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sample lines of the Prometheus text format. */
  private static long exposedSeries(MetricSnapshots snapshots) {
    LineCounter lines = new LineCounter();
    try {
      PrometheusTextFormatWriter.create().write(lines, snapshots);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines.samples;
  }

  /**
   * Heap in use right after a full collection, as the collector reports it (the heap in use read
   * later would include the thread-local allocation buffer handed out since), once two collections
   * in a row agree within 1 KiB.
   */
  private static long usedAfterGc() {
    long previous = -1;
    long used = 0;
    for (int i = 0; i < 20; i++) {
      System.gc();
      used = heapAfterLastGc();
      if (previous >= 0 && Math.abs(used - previous) < 1024) {
        break;
      }
      previous = used;
    }
    return used;
  }

  private static long heapAfterLastGc() {
    Set<String> heapPools = new HashSet<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    // the collector of the whole heap (with Serial GC: MarkSweepCompact, not the young Copy)
    GarbageCollectorMXBean full = null;
    for (java.lang.management.GarbageCollectorMXBean bean :
        ManagementFactory.getGarbageCollectorMXBeans()) {
      if (full == null || bean.getMemoryPoolNames().length >= full.getMemoryPoolNames().length) {
        full = (GarbageCollectorMXBean) bean;
      }
    }
    GcInfo last = full == null ? null : full.getLastGcInfo();
    if (last == null) {
      throw new IllegalStateException("no full collection reported");
    }
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool : last.getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    return used;
  }

  /** Counts lines that do not start with {@code #}. */
  private static final class LineCounter extends OutputStream {
    private long samples;
    private boolean lineStart = true;
    private boolean comment;

    @Override
    public void write(int b) {
      if (lineStart) {
        comment = b == '#';
        lineStart = false;
      }
      if (b == '\n') {
        if (!comment) {
          samples++;
        }
        lineStart = true;
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }
  }
}
