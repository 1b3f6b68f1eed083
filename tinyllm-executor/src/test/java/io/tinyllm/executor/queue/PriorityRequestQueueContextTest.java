package io.tinyllm.executor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.spi.Plugins;
import io.tinyllm.api.spi.TinyLlmModule;
import io.tinyllm.executor.ExecutorConfig;
import io.tinyllm.executor.ExecutorMetrics;
import io.tinyllm.executor.GraphDefinition;
import io.tinyllm.executor.GraphEngine;
import io.tinyllm.executor.GraphLoader;
import io.tinyllm.executor.GraphRun;
import io.tinyllm.metrics.MetricsCollector;
import io.tinyllm.metrics.testing.Exposition;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A request runs in its submitter's {@link ExecutionContext}: a model call queued from inside a
 * graph node is counted by the client under that graph and node, not under {@code default}.
 */
class PriorityRequestQueueContextTest {
  private static final String MODEL = "qwen2.5:0.5b";

  @Test
  void aRequestRunsInItsSubmittersContextAndLeavesTheWorkerInNone() throws Exception {
    PriorityRequestQueue queue =
        new PriorityRequestQueue(
            QueueConfig.from(Settings.of(Map.of("queue.workers", "1"))),
            new QueueMetrics(),
            new RejectBackpressure());
    try {
      ExecutionContext inside;
      try (ExecutionContext.Scope scope = ExecutionContext.open("qa", "answer")) {
        inside = queue.submit(Priority.HIGH, ExecutionContext::current).get(10, TimeUnit.SECONDS);
      }
      ExecutionContext outside =
          queue.submit(Priority.HIGH, ExecutionContext::current).get(10, TimeUnit.SECONDS);

      assertThat(inside).isEqualTo(new ExecutionContext("qa", "answer"));
      // the same worker ran both: the first request's context did not stay on it
      assertThat(outside).isEqualTo(ExecutionContext.DEFAULT);
    } finally {
      queue.shutdown(Duration.ofSeconds(5));
    }
  }

  @Test
  void aModelCallQueuedFromAGraphNodeIsCountedUnderThatGraphAndNode() throws Exception {
    SimulatorConfig config =
        SimulatorConfig.builder()
            .cannedAnswer("Queue me", "Queued and answered.")
            .timeScale(0.01)
            .build();
    try (OllamaSimulator sim = OllamaSimulator.start(config)) {
      Injector injector = injector(sim);
      PriorityRequestQueue queue = injector.getInstance(PriorityRequestQueue.class);
      OllamaClient client = injector.getInstance(OllamaClient.class);
      MetricsCollector metrics = injector.getInstance(MetricsCollector.class);
      QueuedLlmClient queued = new QueuedLlmClient(queue, client);
      GraphDefinition graph =
          new GraphLoader()
              .parse(
                  "queued.yaml",
                  """
                  id: queued
                  entry_points: [in]
                  exit_points: [out]
                  nodes:
                    - {id: in, type: entry}
                    - {id: work, type: model, config: {prompt: "{{input}}"}}
                    - {id: out, type: exit}
                  edges:
                    - {from_node: in, to_node: work}
                    - {from_node: work, to_node: out}
                  """);
      try (GraphEngine engine =
          new GraphEngine(
              injector.getInstance(ExecutorConfig.class),
              injector.getInstance(ExecutorMetrics.class),
              queued,
              System::nanoTime)) {
        GraphRun run = engine.run(graph, "Queue me");

        assertThat(run.status()).isEqualTo(GraphRun.Status.SUCCESS);
        assertThat(run.output()).isEqualTo("Queued and answered.");
      } finally {
        queue.shutdown(Duration.ofSeconds(5));
        client.close();
      }

      assertThat(queued.threads).singleElement().asString().startsWith("tinyllm-queue-worker-");
      String scrape = metrics.scrapeText();
      assertThat(samples(scrape, "tinyllm_requests_total"))
          .containsExactly(
              "tinyllm_requests_total{graph=\"queued\",model=\""
                  + MODEL
                  + "\",request_type=\"generate\"} 1.0");
      assertThat(samples(scrape, "tinyllm_node_requests_total"))
          .containsExactly(
              "tinyllm_node_requests_total{graph=\"queued\",model=\""
                  + MODEL
                  + "\",node=\"work\",outcome=\"success\"} 1.0");
      assertThat(samples(scrape, "tinyllm_request_latency_seconds_count"))
          .containsExactly(
              "tinyllm_request_latency_seconds_count{graph=\"queued\",model=\"" + MODEL + "\"} 1");
      assertThat(samples(scrape, "tinyllm_queue_outcomes_total"))
          .containsExactly(
              "tinyllm_queue_outcomes_total{outcome=\"completed\",priority=\"normal\"} 1.0");
    }
  }

  /** The plug-ins on the class path against {@code sim}, one call per request, no rate limit. */
  private static Injector injector(OllamaSimulator sim) {
    Map<String, String> settings =
        Map.of(
            "ollama.host", sim.baseUri().toString(),
            "ollama.retry.max-attempts", "1",
            "ollama.rate-limit.enabled", "false",
            "queue.workers", "2");
    List<TinyLlmModule> plugins =
        Plugins.discover(PriorityRequestQueueContextTest.class.getClassLoader());
    Plugins.requirePresent(plugins, List.of("metrics", "ollama", "executor", "queue"));
    return Guice.createInjector(Settings.module(Settings.of(settings)), Plugins.combine(plugins));
  }

  /** The sample lines of {@code series} that recorded something (zero series left out). */
  private static List<String> samples(String scrape, String series) {
    List<String> lines = new ArrayList<>();
    for (String line : Exposition.withoutZeroSeries(scrape).split("\n")) {
      if (line.startsWith(series + "{")) {
        lines.add(line);
      }
    }
    return lines;
  }

  /**
   * An application's client that sends every generate call through the request queue and waits for
   * it, as a service that prioritises its model calls would.
   */
  private static final class QueuedLlmClient implements LlmClient {
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    private final PriorityRequestQueue queue;
    private final LlmClient delegate;

    QueuedLlmClient(PriorityRequestQueue queue, LlmClient delegate) {
      this.queue = queue;
      this.delegate = delegate;
    }

    @Override
    public LlmResponse generate(GenerateRequest request) {
      try {
        return queue
            .submit(
                Priority.NORMAL,
                () -> {
                  threads.add(Thread.currentThread().getName());
                  return delegate.generate(request);
                })
            .join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
      }
    }

    @Override
    public StreamHandle generateStream(GenerateRequest request, StreamListener listener) {
      throw new UnsupportedOperationException("generate only");
    }

    @Override
    public LlmResponse chat(ChatRequest request) {
      throw new UnsupportedOperationException("generate only");
    }

    @Override
    public StreamHandle chatStream(ChatRequest request, StreamListener listener) {
      throw new UnsupportedOperationException("generate only");
    }

    @Override
    public EmbedResponse embed(EmbedRequest request) {
      throw new UnsupportedOperationException("generate only");
    }
  }
}
