package io.tinyllm.cli.reliability;

import static io.tinyllm.cli.reliability.Fixtures.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.executor.GraphEngine;
import io.tinyllm.executor.GraphLoader;
import io.tinyllm.executor.GraphRun;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * 10,000 distinct model and graph names (a hostile or buggy caller): the series stay under the
 * label guard's cap and the excess is counted as folded.
 */
class CardinalityTest {
  private static final int NAMES = 10_000;
  private static final int CAP = 100;
  private static final int THREADS = 4;

  @Test
  void tenThousandUnknownModelsStayUnderTheCap() throws Exception {
    try (OllamaSimulator sim = Fixtures.simulator();
        ReliabilityAccess.App app =
            Fixtures.start(
                Fixtures.settings(
                    sim.baseUri().toString(), "metrics.labels.max-values", String.valueOf(CAP)))) {
      LlmClient client = app.get(LlmClient.class);
      ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
      runInThreads(
          i -> {
            try {
              client.generate(GenerateRequest.builder("model-" + i + ":1b", "hi").build());
              unexpected.add(new AssertionError("model-" + i + " answered"));
            } catch (ModelNotFoundException e) {
              // what the server says of a model it does not have
            } catch (RuntimeException e) {
              unexpected.add(e);
            }
          });
      assertThat(unexpected).isEmpty();

      Samples s = scrape(app);
      assertThat(s.count("tinyllm_requests_total")).isEqualTo(NAMES);
      assertThat(s.count("tinyllm_errors_total", "error_type", "model_not_found")).isEqualTo(NAMES);
      assertThat(modelValues(s)).hasSizeLessThanOrEqualTo(CAP + 1).contains("other");
      assertThat(s.count("tinyllm_label_values_folded_total", "label", "model"))
          .isGreaterThanOrEqualTo(NAMES - CAP);
      assertThat(s.sum("tinyllm_label_values", "label", "model")).isLessThanOrEqualTo(CAP);
      assertEveryLabelUnderTheCap(s);
    }
  }

  @Test
  void tenThousandGraphIdsStayUnderTheCap() throws Exception {
    try (ReliabilityAccess.App app =
        Fixtures.start(
            Fixtures.settings("127.0.0.1:1", "metrics.labels.max-values", String.valueOf(CAP)))) {
      GraphEngine engine = app.get(GraphEngine.class);
      GraphLoader loader = new GraphLoader();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      runInThreads(
          i -> {
            String yaml =
                "id: graph-"
                    + i
                    + "\nnodes:\n  - {id: in, type: entry}\n  - {id: up, type: transform,"
                    + " config: {op: uppercase}}\n  - {id: out, type: exit}\nedges:\n"
                    + "  - {from_node: in, to_node: up}\n  - {from_node: up, to_node: out}\n"
                    + "entry_points: [in]\nexit_points: [out]\n";
            GraphRun run = engine.run(loader.parse("graph-" + i + ".yaml", yaml), "hello");
            if (!run.success() || !"HELLO".equals(run.output())) {
              failures.add("graph-" + i + ": " + run.status() + " " + run.error());
            }
          });
      assertThat(failures).isEmpty();

      Samples s = scrape(app);
      assertThat(s.count("tinyllm_graph_executions_total")).isEqualTo(NAMES);
      Set<String> graphs = new HashSet<>();
      s.find("tinyllm_graph_executions_total").forEach(x -> graphs.add(x.label("graph")));
      assertThat(graphs).hasSizeLessThanOrEqualTo(CAP + 1).contains("other");
      assertThat(s.count("tinyllm_label_values_folded_total", "label", "graph"))
          .isGreaterThanOrEqualTo(NAMES - CAP);
      assertEveryLabelUnderTheCap(s);
    }
  }

  /** In every family, no guarded label has more than the cap's values (plus {@code other}). */
  private static void assertEveryLabelUnderTheCap(Samples s) {
    for (String label : List.of("model", "graph", "node")) {
      java.util.Map<String, Set<String>> values = new java.util.HashMap<>();
      for (Samples.Sample sample : s.all()) {
        String value = sample.label(label);
        if (value != null) {
          values.computeIfAbsent(sample.name(), k -> new HashSet<>()).add(value);
        }
      }
      values.forEach(
          (family, seen) ->
              assertThat(seen).as(family + " " + label).hasSizeLessThanOrEqualTo(CAP + 1));
    }
  }

  private static Set<String> modelValues(Samples s) {
    Set<String> models = new HashSet<>();
    s.find("tinyllm_requests_total").forEach(x -> models.add(x.label("model")));
    return models;
  }

  /** Calls {@code body} with 0 .. NAMES-1 spread over a few threads; bounded join. */
  private static void runInThreads(java.util.function.IntConsumer body) throws Exception {
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int first = t;
      Thread thread =
          new Thread(
              () -> {
                for (int i = first; i < NAMES; i += THREADS) {
                  body.accept(i);
                }
              },
              "names-" + t);
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join(Fixtures.WAIT.toMillis() * 4);
      assertThat(thread.isAlive()).as(thread.getName() + " is stuck").isFalse();
    }
  }
}
