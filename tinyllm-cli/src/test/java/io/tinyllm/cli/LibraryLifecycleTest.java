package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.cache.ResponseCache;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.cache.CachingLlmClient;
import io.tinyllm.cache.RedisResponseCache;
import io.tinyllm.executor.GraphEngine;
import io.tinyllm.executor.GraphLoader;
import io.tinyllm.executor.GraphRun;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.testing.PushgatewayProcess;
import io.tinyllm.metrics.testing.RedisServerProcess;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The library as the README shows it, with every thread-owning component in use — the client's
 * stream pool, the request queue's workers, the graph engine's pools, Redis' event loops and the
 * Pushgateway exporter: after {@code close()} none of their threads is left and the final push has
 * arrived at a real Pushgateway.
 */
class LibraryLifecycleTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final String JOB = "library-lifecycle";
  private static final Duration THREADS_END_WITHIN = Duration.ofSeconds(20);

  /**
   * Java 17's HttpClient has no close() (it came in 21): its selector and workers are daemon
   * threads that end once the client is garbage, which no close can hasten.
   */
  private static final Pattern JDK_HTTP_CLIENT =
      Pattern.compile("HttpClient-\\d+-(SelectorManager|Worker-\\d+)");

  /**
   * The Prometheus client's one JVM-wide scheduler (exemplar sampling, native histogram resets): a
   * static daemon thread of the library that no registry owns, so none can stop it.
   */
  private static final Pattern PROMETHEUS_SCHEDULER =
      Pattern.compile("prometheus-metrics-scheduler-\\d+");

  /** The simulator runs in a thread group of its own, so its threads are told apart exactly. */
  private final ThreadGroup servers = new ThreadGroup("test-servers");

  @Test
  void closeStopsEveryThreadItStartedAndPushesOnceMore() throws Exception {
    try (PushgatewayProcess gateway = PushgatewayProcess.start();
        RedisServerProcess redis = RedisServerProcess.start();
        OllamaSimulator simulator = startInServersGroup()) {
      assertThat(gateway.metricsText()).doesNotContain("job=\"" + JOB + "\"");
      Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());

      useTheLibrary(
          Settings.of(
              Map.of(
                  "ollama.host",
                  simulator.baseUri().toString(),
                  "cache.enabled",
                  "true",
                  "cache.backend",
                  "redis",
                  "cache.redis.uri",
                  redis.uri(),
                  // the first connect of a cold JVM on a loaded machine can take longer than the
                  // 250 ms default; it would then miss the hit this test counts
                  "cache.redis.timeout",
                  "10s",
                  "metrics.exporters",
                  "pushgateway",
                  "metrics.pushgateway.address",
                  gateway.address(),
                  "metrics.pushgateway.job",
                  JOB)));

      assertThat(threadsLeftSince(before)).as("threads left after close()").isEmpty();
      // nothing pushes periodically (interval 0): what the gateway holds came from close()
      assertThat(pushed(gateway.metricsText(), "tinyllm_cache_hits_total"))
          .as("the final push, with the Redis hit")
          .anySatisfy(line -> assertThat(line).contains("cache_type=\"redis\"").endsWith(" 1"));
      assertThat(pushed(gateway.metricsText(), "tinyllm_queue_requests_total")).isNotEmpty();
      assertThat(pushed(gateway.metricsText(), "tinyllm_graph_executions_total")).isNotEmpty();
    }
  }

  /** In a method of its own, so nothing of the application stays reachable from the test. */
  private static void useTheLibrary(Settings settings) throws Exception {
    try (TinyLlm app = TinyLlm.start(settings)) {
      LlmClient client = app.get(LlmClient.class);
      assertThat(client).isInstanceOf(CachingLlmClient.class);
      assertThat(app.get(ResponseCache.class)).isInstanceOf(RedisResponseCache.class);
      GenerateRequest request =
          GenerateRequest.builder(MODEL, "What is 2+2?")
              .options(GenerationOptions.builder().temperature(0.0).build())
              .build();

      LlmResponse answer = client.generate(request);
      assertThat(client.generate(request).text()).as("served by Redis").isEqualTo(answer.text());

      LlmResponse streamed =
          client
              .generateStream(GenerateRequest.builder(MODEL, "Write a haiku").build(), token -> {})
              .completion()
              .get(30, TimeUnit.SECONDS);
      assertThat(streamed.outputTokens()).isPositive();

      LlmResponse queued =
          app.get(RequestQueue.class)
              .submit(
                  Priority.NORMAL,
                  () -> client.generate(GenerateRequest.builder(MODEL, "Queued").build()))
              .get(30, TimeUnit.SECONDS);
      assertThat(queued.text()).isNotEmpty();

      GraphRun run =
          app.get(GraphEngine.class).run(new GraphLoader().loadExample("qa.yaml"), "Hello?");
      assertThat(run.success()).as("graph run: %s", run).isTrue();
    }
  }

  private OllamaSimulator startInServersGroup() throws Exception {
    AtomicReference<Object> started = new AtomicReference<>();
    Thread starter =
        new Thread(
            servers,
            () -> {
              try {
                started.set(
                    OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build()));
              } catch (Exception e) {
                started.set(e);
              }
            },
            "start-simulator");
    starter.start();
    starter.join();
    if (started.get() instanceof Exception e) {
      throw e;
    }
    return (OllamaSimulator) started.get();
  }

  /**
   * Threads alive now that were not before, other than the simulator's and the JVM's own; waits,
   * bounded, for those that are still ending.
   */
  private Set<String> threadsLeftSince(Set<Thread> before) throws InterruptedException {
    long deadline = System.nanoTime() + THREADS_END_WITHIN.toNanos();
    Set<Thread> left = newThreads(before);
    for (Thread thread : left) {
      long remaining = deadline - System.nanoTime();
      if (remaining > 0) {
        TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
      }
    }
    return newThreads(before).stream()
        .map(
            t ->
                t.getName()
                    + (t.isDaemon() ? " (daemon, " : " (")
                    + t.getState()
                    + ") at "
                    + Arrays.stream(t.getStackTrace())
                        .limit(3)
                        .map(StackTraceElement::toString)
                        .collect(Collectors.joining(" < ")))
        .collect(Collectors.toSet());
  }

  private Set<Thread> newThreads(Set<Thread> before) {
    Set<Thread> now = new HashSet<>(Thread.getAllStackTraces().keySet());
    now.removeAll(before);
    now.removeIf(t -> !t.isAlive() || isTheTestsOwn(t) || isTheJvmsOwn(t));
    return now;
  }

  private boolean isTheTestsOwn(Thread thread) {
    ThreadGroup group = thread.getThreadGroup();
    return group != null && (group == servers || servers.parentOf(group));
  }

  /**
   * Threads of the JVM's system group (reference handling, the process reaper, HTTP keep-alive),
   * the common fork-join pool that the whole JVM shares, the JDK HttpClient's, and the Prometheus
   * client's static scheduler.
   */
  private static boolean isTheJvmsOwn(Thread thread) {
    ThreadGroup group = thread.getThreadGroup();
    ThreadGroup main = Thread.currentThread().getThreadGroup();
    if (group != null && !main.parentOf(group)) {
      return true;
    }
    if (thread instanceof ForkJoinWorkerThread worker
        && worker.getPool() == ForkJoinPool.commonPool()) {
      return true;
    }
    return thread.isDaemon()
        && (JDK_HTTP_CLIENT.matcher(thread.getName()).matches()
            || PROMETHEUS_SCHEDULER.matcher(thread.getName()).matches());
  }

  /** The gateway's samples of {@code family} for this test's job. */
  private static List<String> pushed(String gatewayText, String family) {
    return gatewayText
        .lines()
        .filter(line -> line.startsWith(family + "{"))
        .filter(line -> line.contains("job=\"" + JOB + "\""))
        .toList();
  }
}
