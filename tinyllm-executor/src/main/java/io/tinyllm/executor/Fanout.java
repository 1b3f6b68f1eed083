package io.tinyllm.executor;

import io.tinyllm.api.context.ExecutionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Future;

/**
 * A {@code fanout} node: runs its branches in parallel on the same input and aggregates them:
 * {@code first_success} (the first branch to succeed; the rest are cancelled), {@code all} (every
 * output joined by {@code separator}) or {@code majority_vote} (the answer most branches gave,
 * compared trimmed and case-insensitively; ties go to the earlier branch).
 */
final class Fanout {
  private final GraphRunner runner;
  private final NodeDefinition node;

  Fanout(GraphRunner runner, NodeDefinition node) {
    this.runner = runner;
    this.node = node;
  }

  NodeResult run(Payload in) {
    NodeConfig c = node.settings();
    List<String> branches = c.strings("branches");
    String aggregation = c.string("aggregation", "all");
    CompletionService<NodeResult> completion =
        new ExecutorCompletionService<>(runner.engine().executor());
    Map<Future<NodeResult>, Integer> futures = new LinkedHashMap<>();
    for (int i = 0; i < branches.size(); i++) {
      NodeDefinition branch = runner.node(branches.get(i));
      futures.put(completion.submit(ExecutionContext.wrap(() -> runner.runNode(branch, in))), i);
    }
    NodeResult[] results = new NodeResult[branches.size()];
    List<String> failures = new ArrayList<>();
    try {
      for (int done = 0; done < branches.size(); done++) {
        Future<NodeResult> f = completion.take();
        int index = futures.get(f);
        try {
          results[index] = f.get();
          if (aggregation.equals("first_success")) {
            return finish(in, List.of(results[index]), results[index].payload().text());
          }
        } catch (ExecutionException e) {
          if (e.getCause() instanceof GraphStoppedException stopped) {
            throw stopped;
          }
          failures.add(branches.get(index) + ": " + e.getCause().getMessage());
          if (aggregation.equals("all")
              && runner.execution().failureMode() == FailureMode.FAIL_FAST) {
            throw new NodeFailedException(
                node.id(), "branch_failed", "error", "Branch failed: " + failures.get(0));
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GraphStoppedException(GraphRun.Status.CANCELLED, "Fanout interrupted");
    } finally {
      futures.keySet().forEach(f -> f.cancel(true));
    }
    List<NodeResult> ok = new ArrayList<>();
    for (NodeResult r : results) {
      if (r != null) {
        ok.add(r);
      }
    }
    if (ok.isEmpty()) {
      throw new NodeFailedException(
          node.id(),
          "branch_failed",
          "error",
          "Every branch of '" + node.id() + "' failed: " + failures);
    }
    if (aggregation.equals("majority_vote")) {
      return finish(in, ok, vote(ok));
    }
    List<String> texts = ok.stream().map(r -> r.payload().text()).toList();
    return finish(in, ok, String.join(c.string("separator", "\n"), texts));
  }

  private static String vote(List<NodeResult> ok) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    Map<String, String> firstSeen = new LinkedHashMap<>();
    for (NodeResult r : ok) {
      String key = r.payload().text().strip().toLowerCase(Locale.ROOT);
      counts.merge(key, 1, Integer::sum);
      firstSeen.putIfAbsent(key, r.payload().text().strip());
    }
    String best = null;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (best == null || e.getValue() > counts.get(best)) {
        best = e.getKey();
      }
    }
    return firstSeen.get(best);
  }

  private NodeResult finish(Payload in, List<NodeResult> ok, String text) {
    // the branches' tokens are in the branches' own trace entries
    List<String> outputs = ok.stream().map(r -> r.payload().text()).toList();
    return NodeResult.of(in.with("branches", outputs).withOutput(node.id(), text));
  }
}
