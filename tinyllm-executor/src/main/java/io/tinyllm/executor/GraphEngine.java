package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.concurrent.AwaitableCount;
import io.tinyllm.api.concurrent.DaemonThreads;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.time.Ticker;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs validated graphs: walks from the entry point along edges, runs each node with its timeout,
 * retries and circuit breaker inside an {@link io.tinyllm.api.context.ExecutionContext}, and
 * records node and graph metrics for every execution.
 *
 * <pre>{@code
 * GraphDefinition graph = new GraphLoader().load(Path.of("qa.yaml"));
 * GraphRun run = engine.run(graph, "What is 2+2?");
 * System.out.println(run.output());
 * }</pre>
 *
 * <p>Threads are created on demand (node timeouts and fanout need them), at most {@code
 * executor.max-threads} of them, plus one watchdog; all are daemons and {@link #close()} stops
 * them. Nothing ever waits in a queue for a thread: when all are busy, a node or fanout branch runs
 * on the thread that asked for it (the watchdog interrupts it at its timeout), so nested fanout and
 * loop nodes cannot deadlock however few threads there are.
 */
@Singleton
public final class GraphEngine implements AutoCloseable {
  private final ExecutorConfig config;
  private final ExecutorMetrics metrics;
  private final LlmClient client;
  private final LongSupplier nanoTime;
  private final NodeCircuitBreakers breakers;
  private final ThreadPoolExecutor pool;
  private final ScheduledThreadPoolExecutor watchdog;
  // tasks on engine threads: a task that ends takes a lock only when it was the last one running
  // and someone waits in awaitIdle
  private final AwaitableCount running = new AwaitableCount();

  /** An engine on the system clock. */
  public GraphEngine(ExecutorConfig config, ExecutorMetrics metrics, Optional<LlmClient> client) {
    this(config, metrics, Ticker.system(), client);
  }

  /**
   * The injector's engine: {@code ticker} times node and graph durations and cools node breakers
   * down.
   */
  @Inject
  public GraphEngine(
      ExecutorConfig config, ExecutorMetrics metrics, Ticker ticker, Optional<LlmClient> client) {
    this(config, metrics, client.orElse(null), ticker::read);
  }

  /**
   * An engine with an explicit clock (tests move time to cool circuit breakers down); {@code
   * client} may be {@code null} when no graph has model or router nodes.
   */
  public GraphEngine(
      ExecutorConfig config, ExecutorMetrics metrics, LlmClient client, LongSupplier nanoTime) {
    this.config = requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.client = client;
    this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
    this.breakers =
        new NodeCircuitBreakers(
            config.breakerFailureThreshold(),
            config.breakerCooldown(),
            nanoTime,
            metrics::nodeBreakerState);
    // no queue: a task either gets an idle or new thread or is refused (and runs on its caller)
    this.pool =
        new ThreadPoolExecutor(
            0,
            config.maxThreads(),
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            DaemonThreads.named("tinyllm-graph-"));
    this.watchdog =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.named("tinyllm-graph-watchdog-"));
    watchdog.setRemoveOnCancelPolicy(true);
  }

  public GraphRun run(GraphDefinition graph, String input) {
    return run(graph, input, new Cancellation());
  }

  /** Runs {@code graph} on {@code input}; never throws for a node failure (see the status). */
  public GraphRun run(GraphDefinition graph, String input, Cancellation cancellation) {
    requireNonNull(graph, "graph is null");
    requireNonNull(input, "input is null");
    requireNonNull(cancellation, "cancellation is null");
    metrics.graphStarting(graph);
    return new GraphRunner(this, graph, cancellation).run(input);
  }

  /** Whether the circuit breaker of {@code nodeId} in {@code graphId} is open. */
  public boolean circuitOpen(String graphId, String nodeId) {
    return breakers.isOpen(graphId, nodeId);
  }

  ExecutorConfig config() {
    return config;
  }

  ExecutorMetrics metrics() {
    return metrics;
  }

  Optional<LlmClient> client() {
    return Optional.ofNullable(client);
  }

  long nanoTime() {
    return nanoTime.getAsLong();
  }

  NodeCircuitBreakers breakers() {
    return breakers;
  }

  /** Runs {@code task} on an engine thread; {@code false} when all are busy (or closed). */
  boolean tryExecute(Runnable task) {
    running.increment();
    try {
      pool.execute(
          () -> {
            try {
              task.run();
            } finally {
              running.decrement();
            }
          });
      return true;
    } catch (RejectedExecutionException e) {
      running.decrement();
      return false;
    }
  }

  /**
   * Waits until no task runs on an engine thread, at most {@code timeout}; true when none did. A
   * node a graph stopped waiting for (timed out, cancelled, a losing fanout branch) ends on its own
   * thread after the run returned, and records its outcome there: tests wait here for it.
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    return running.awaitZero(timeout);
  }

  /** An engine thread when one is free, else the calling thread. */
  Executor executor() {
    return task -> {
      if (!tryExecute(task)) {
        task.run();
      }
    };
  }

  /**
   * Runs {@code hook} in {@link #awaitIdle} just before the waiter blocks, holding the lock an
   * ending task needs to wake it: lets a test end a task knowing the waiter is asleep.
   */
  void beforeIdleWait(Runnable hook) {
    running.beforeWait(hook);
  }

  /** Interrupts tasks that run on their caller's thread when their timeout passes. */
  ScheduledThreadPoolExecutor watchdog() {
    return watchdog;
  }

  /** The most engine threads that ever ran at once (tests check the bound). */
  int largestPoolSize() {
    return pool.getLargestPoolSize();
  }

  @Override
  public void close() {
    pool.shutdownNow();
    watchdog.shutdownNow();
  }
}
