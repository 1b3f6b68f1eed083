package io.tinyllm.benchmarks;

import io.tinyllm.api.queue.Priority;
import io.tinyllm.executor.queue.PriorityRequestQueue;
import io.tinyllm.executor.queue.QueueConfig;
import io.tinyllm.executor.queue.QueueMetrics;
import io.tinyllm.executor.queue.RejectBackpressure;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Item 4 of issue #9: queue throughput with no-op jobs, in jobs per second. One submitter hands
 * {@value #BATCH} jobs (priorities in turn) to our {@link PriorityRequestQueue} (defaults: 4
 * workers, reject, 5 min task timeout; metrics on) and waits for all; the baseline does the same
 * with a plain 4-thread {@link ThreadPoolExecutor}.
 *
 * <p>Latest figures (2026-11-28, run D; KVM guest, 2 vCPUs Intel Xeon family 6 model 207; OpenJDK
 * 17.0.15; JMH 1.37; {@code -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}; load average 2.1 to 2.4; details
 * in {@code docs/performance.md}, item 6):
 *
 * <pre>
 * ours                 1141925.796 ±  433779.019 jobs/s    342 B/job
 * threadPoolExecutor   3935037.627 ± 1440294.427 jobs/s    175 B/job
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueueBenchmark {
  static final int BATCH = 1000;
  private static final Priority[] PRIORITIES = Priority.values();

  private PriorityRequestQueue ours;
  private ExecutorService pool;

  @Setup(Level.Trial)
  public void setUp() {
    QueueConfig defaults = QueueConfig.defaults();
    QueueConfig config =
        new QueueConfig(
            2 * BATCH,
            defaults.workers(),
            defaults.backpressure(),
            defaults.blockTimeout(),
            defaults.taskTimeout(),
            defaults.maxWait());
    ours = new PriorityRequestQueue(config, new QueueMetrics(), new RejectBackpressure());
    pool =
        new ThreadPoolExecutor(
            defaults.workers(),
            defaults.workers(),
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ours.shutdown(Duration.ofSeconds(5));
    pool.shutdownNow();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Object ours() {
    CompletableFuture<?>[] jobs = new CompletableFuture<?>[BATCH];
    for (int i = 0; i < BATCH; i++) {
      jobs[i] = ours.submit(PRIORITIES[i % PRIORITIES.length], () -> Boolean.TRUE);
    }
    return CompletableFuture.allOf(jobs).join();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Object threadPoolExecutor() {
    CompletableFuture<?>[] jobs = new CompletableFuture<?>[BATCH];
    for (int i = 0; i < BATCH; i++) {
      jobs[i] = CompletableFuture.supplyAsync(() -> Boolean.TRUE, pool);
    }
    return CompletableFuture.allOf(jobs).join();
  }
}
