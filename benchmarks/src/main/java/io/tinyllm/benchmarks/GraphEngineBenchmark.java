package io.tinyllm.benchmarks;

import io.tinyllm.executor.ExecutorConfig;
import io.tinyllm.executor.ExecutorMetrics;
import io.tinyllm.executor.GraphDefinition;
import io.tinyllm.executor.GraphEngine;
import io.tinyllm.executor.GraphLoader;
import io.tinyllm.executor.GraphRun;
import io.tinyllm.metrics.LabelGuard;
import java.util.Locale;
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
 * Item 4 of issue #9: executor overhead per node. A graph of {@value #NODES} nodes (entry, eight
 * {@code transform} nodes alternating upper- and lower-case, exit) run by our {@link GraphEngine}
 * with metrics, against the same eight string operations called directly. Figures are per node
 * ({@code @OperationsPerInvocation}).
 *
 * <p>Latest figures (2026-11-28, run D; KVM guest, 2 vCPUs Intel Xeon family 6 model 207; OpenJDK
 * 17.0.15; JMH 1.37; {@code -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}; load average 2.1 to 2.4; details
 * in {@code docs/performance.md}, item 6):
 *
 * <pre>
 * oursGraphEngine    5445.635 ± 860.908 ns/node   2340 B/node
 * noFramework          35.835 ±  13.156 ns/node     58 B/node
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GraphEngineBenchmark {
  static final int NODES = 10;
  private static final int TRANSFORMS = NODES - 2;
  private static final String INPUT = "What is the capital of France?";

  private GraphEngine engine;
  private GraphDefinition graph;

  @Setup(Level.Trial)
  public void setUp() {
    StringBuilder yaml = new StringBuilder("id: bench\nnodes:\n  - {id: entry, type: entry}\n");
    for (int i = 1; i <= TRANSFORMS; i++) {
      yaml.append("  - {id: t")
          .append(i)
          .append(", type: transform, config: {op: ")
          .append(i % 2 == 0 ? "lowercase" : "uppercase")
          .append("}}\n");
    }
    yaml.append("  - {id: exit, type: exit}\nedges:\n  - {from_node: entry, to_node: t1}\n");
    for (int i = 1; i < TRANSFORMS; i++) {
      yaml.append("  - {from_node: t").append(i).append(", to_node: t").append(i + 1).append("}\n");
    }
    yaml.append("  - {from_node: t")
        .append(TRANSFORMS)
        .append(", to_node: exit}\nentry_points: [entry]\nexit_points: [exit]\n");
    graph = new GraphLoader().parse("bench.yaml", yaml.toString());
    engine =
        new GraphEngine(
            ExecutorConfig.defaults(),
            new ExecutorMetrics(new LabelGuard(100, 128)),
            null,
            System::nanoTime);
    GraphRun run = engine.run(graph, INPUT);
    if (!run.success()) {
      throw new IllegalStateException("bench graph failed: " + run.error());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
  }

  @Benchmark
  @OperationsPerInvocation(NODES)
  public GraphRun oursGraphEngine() {
    return engine.run(graph, INPUT);
  }

  @Benchmark
  @OperationsPerInvocation(NODES)
  public String noFramework() {
    String text = INPUT;
    for (int i = 1; i <= TRANSFORMS; i++) {
      text = i % 2 == 0 ? text.toLowerCase(Locale.ROOT) : text.toUpperCase(Locale.ROOT);
    }
    return text;
  }
}
