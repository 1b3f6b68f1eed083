package io.tinyllm.benchmarks;

import java.io.File;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that reports the CPU time the whole benchmark process (every thread: the caller,
 * client threads such as the JDK HTTP client's selector, the garbage collector, the JIT) spent per
 * operation, read from {@link com.sun.management.OperatingSystemMXBean#getProcessCpuTime()} at the
 * start and end of each iteration. Meaningful only when the server lives in another process, as in
 * {@link StreamingPeersBenchmark}; then it is the client's CPU cost, whatever thread it runs on.
 *
 * <pre>
 * java -jar benchmarks.jar -prof io.tinyllm.benchmarks.ProcessCpuProfiler StreamingPeers
 * </pre>
 *
 * <p>Results: {@code cpu.time.norm} (microseconds of CPU per operation), {@code cpu.util} (CPU
 * seconds per wall-clock second: 1.0 is one core busy), {@code cpu.jit.norm} (the JIT compilers'
 * elapsed compile time per operation, at millisecond resolution; mostly inside {@code
 * cpu.time.norm}, and well above zero means the warm-up was too short) and, when the benchmark
 * declared how many units one operation handles ({@link #unitsPerOperation}), {@code
 * cpu.time.per.<unit>} in nanoseconds. On Linux also {@code cpu.nojit.per.<unit>}: the same less
 * the CPU of the JIT's compiler threads (read from {@code /proc/self/task/}, 10 ms ticks), the
 * figure to compare on a shared machine where the compilers are still busy after the warm-up (start
 * the fork with {@code -XX:-UseDynamicNumberOfCompilerThreads}, so that no compiler thread exits
 * and takes its time with it). On Linux the JDK reads the process time with {@code times(2)}, in 10
 * ms ticks: with one-second iterations that is about 1 % of the figure.
 */
public final class ProcessCpuProfiler implements InternalProfiler {
  private static volatile String unit;
  private static volatile int unitsPerOperation;

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
  private long cpuAtStart;
  private long wallAtStart;
  private long jitAtStart;
  private long compilersAtStart;
  private Map<String, Long> groupsAtStart;

  /** Called by a benchmark's setup: one operation handles {@code count} units (e.g. tokens). */
  static void unitsPerOperation(String unitName, int count) {
    unit = unitName;
    unitsPerOperation = count;
  }

  @Override
  public String getDescription() {
    return "Process CPU time per operation (com.sun.management.OperatingSystemMXBean)";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    wallAtStart = System.nanoTime();
    jitAtStart = jitMillis();
    compilersAtStart = compilerCpuNanos();
    groupsAtStart = threadGroupCpuNanos();
    cpuAtStart = os.getProcessCpuTime();
  }

  @Override
  public Collection<ScalarResult> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = os.getProcessCpuTime() - cpuAtStart;
    long compilers = compilerCpuNanos() - compilersAtStart;
    long wall = System.nanoTime() - wallAtStart;
    long jitNanos = (jitMillis() - jitAtStart) * 1_000_000;
    long ops = result.getMetadata().getAllOps();
    List<ScalarResult> results = new ArrayList<>();
    if (cpu < 0 || ops <= 0) {
      return results;
    }
    double perOp = (double) cpu / ops;
    results.add(new ScalarResult("cpu.time.norm", perOp / 1_000, "us/op", AggregationPolicy.AVG));
    results.add(
        new ScalarResult("cpu.util", (double) cpu / wall, "cpu-s/s", AggregationPolicy.AVG));
    results.add(
        new ScalarResult(
            "cpu.jit.norm", (double) jitNanos / ops / 1_000, "us/op", AggregationPolicy.AVG));
    int units = unitsPerOperation;
    if (units > 0) {
      results.add(
          new ScalarResult(
              "cpu.time.per." + unit, perOp / units, "ns/" + unit, AggregationPolicy.AVG));
      if (compilersAtStart >= 0 && compilers >= 0) {
        results.add(
            new ScalarResult(
                "cpu.nojit.per." + unit,
                (double) (cpu - compilers) / ops / units,
                "ns/" + unit,
                AggregationPolicy.AVG));
      }
      Map<String, Long> groups = threadGroupCpuNanos();
      if (groupsAtStart != null && groups != null) {
        for (Map.Entry<String, Long> group : groups.entrySet()) {
          long spent = group.getValue() - groupsAtStart.getOrDefault(group.getKey(), 0L);
          results.add(
              new ScalarResult(
                  "cpu.threads." + group.getKey() + ".per." + unit,
                  (double) Math.max(0, spent) / ops / units,
                  "ns/" + unit,
                  AggregationPolicy.AVG));
        }
      }
    }
    return results;
  }

  private long jitMillis() {
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : 0;
  }

  /** CPU of the JIT's compiler threads so far (Linux), or -1 where it cannot be read. */
  private static long compilerCpuNanos() {
    Map<String, Long> groups = threadGroupCpuNanos();
    return groups == null ? -1 : groups.getOrDefault("jit", 0L);
  }

  /**
   * CPU so far of the process's threads by kind (Linux, from {@code /proc/self/task/}, 10 ms ticks;
   * a thread that ended takes its time with it), or {@code null} where it cannot be read: {@code
   * jit} (compiler threads), {@code gc} (collector and VM threads), {@code http} (the JDK HTTP
   * client's selector and workers), {@code stream} (the Ollama client's stream threads), {@code
   * pool} (fork-join pools) and {@code other} (the benchmark's own thread among them).
   */
  private static Map<String, Long> threadGroupCpuNanos() {
    File[] tasks = new File("/proc/self/task").listFiles();
    if (tasks == null) {
      return null;
    }
    Map<String, Long> groups = new TreeMap<>();
    for (File task : tasks) {
      String stat;
      try {
        stat = Files.readString(task.toPath().resolve("stat"));
      } catch (IOException e) {
        continue; // the thread ended
      }
      int open = stat.indexOf('(');
      int close = stat.lastIndexOf(')');
      String name = stat.substring(open + 1, close);
      // after "pid (name) ": state is field 3, utime 14 and stime 15
      String[] fields = stat.substring(close + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      groups.merge(group(name), ticks * 10_000_000L, Long::sum); // USER_HZ is 100 on Linux
    }
    return groups;
  }

  private static String group(String thread) {
    if (thread.startsWith("C1 CompilerThre") || thread.startsWith("C2 CompilerThre")) {
      return "jit";
    }
    if (thread.startsWith("GC ")
        || thread.startsWith("G1 ")
        || thread.startsWith("VM Thread")
        || thread.startsWith("VM Periodic")) {
      return "gc";
    }
    if (thread.startsWith("HttpClient")) {
      return "http";
    }
    if (thread.startsWith("tinyllm-ollama-")) {
      return "stream";
    }
    if (thread.startsWith("ForkJoinPool")) {
      return "pool";
    }
    return "other";
  }
}
