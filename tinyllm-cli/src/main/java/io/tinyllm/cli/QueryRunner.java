package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.GraphException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.executor.ExecutorConfig;
import io.tinyllm.executor.GraphDefinition;
import io.tinyllm.executor.GraphEngine;
import io.tinyllm.executor.GraphLoader;
import io.tinyllm.executor.GraphRun;
import io.tinyllm.executor.NodeDefinition;
import io.tinyllm.executor.NodeType;
import io.tinyllm.metrics.TinyLlm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Runs one prompt through a graph or straight to a model and reports a {@link QueryResult}; model
 * and graph failures become the result's error (never an exception), so a batch can go on.
 */
final class QueryRunner {
  /** The graph {@code run} and {@code batch} use when given neither --graph nor --model. */
  static final String DEFAULT_GRAPH = "qa.yaml";

  private final TinyLlm app;
  private final GraphDefinition graph;
  private final GenerationOptions options;
  private final UnaryOperator<GenerateRequest.Builder> request;

  QueryRunner(TinyLlm app, GraphDefinition graph, GenerationOptions options) {
    this(app, graph, options, UnaryOperator.identity());
  }

  /**
   * @param request adds what a direct call asks beyond the options (system, format, think, keep
   *     alive)
   */
  QueryRunner(
      TinyLlm app,
      GraphDefinition graph,
      GenerationOptions options,
      UnaryOperator<GenerateRequest.Builder> request) {
    this.app = requireNonNull(app, "app is null");
    this.graph = graph;
    this.options = requireNonNull(options, "options is null");
    this.request = requireNonNull(request, "request is null");
  }

  /** How a bundled graph is named where a file is expected: {@code builtin:qa}. */
  static final String BUILTIN = "builtin:";

  /**
   * The graph in {@code file} ({@code builtin:NAME} for a bundled one), or the bundled {@value
   * #DEFAULT_GRAPH} when it is null; the bundled one asks the configured model ({@code model} in
   * the config file, or {@code TINYLLM_MODEL}).
   */
  static GraphDefinition loadGraph(String file) {
    return loadGraph(file, CliConfig.current().model());
  }

  /**
   * As {@link #loadGraph(String)}, the bundled {@value #DEFAULT_GRAPH} (given as null or {@code
   * builtin:qa}) asking {@code model}; a graph file keeps the models it names.
   */
  static GraphDefinition loadGraph(String file, String model) {
    GraphLoader loader = new GraphLoader();
    if (file == null || file.equals(BUILTIN + "qa")) {
      return asking(loader.loadExample(DEFAULT_GRAPH), model);
    }
    if (file.startsWith(BUILTIN)) {
      String name = file.substring(BUILTIN.length());
      // a name, never a path into the jar's other resources
      if (!name.matches("[a-z0-9_-]{1,64}")) {
        throw new GraphException("No bundled graph named '" + name + "'");
      }
      return loader.loadExample(name + ".yaml");
    }
    return loader.load(Path.of(file));
  }

  /** {@code graph} with every model node asking {@code model}. */
  private static GraphDefinition asking(GraphDefinition graph, String model) {
    List<NodeDefinition> nodes =
        graph.nodes().stream()
            .map(
                node -> {
                  if (node.type() != NodeType.MODEL) {
                    return node;
                  }
                  Map<String, Object> config = new LinkedHashMap<>(node.config());
                  config.put("model", model);
                  return new NodeDefinition(
                      node.id(), node.type(), node.name(), config, node.location(), node.fields());
                })
            .toList();
    return new GraphDefinition(
        graph.id(),
        graph.version(),
        graph.name(),
        graph.description(),
        graph.metadata(),
        nodes,
        graph.edges(),
        graph.entryPoints(),
        graph.exitPoints(),
        graph.protectedGraph(),
        graph.allowCycles(),
        graph.location(),
        graph.fields());
  }

  /** The models a graph's model and router nodes ask, in file order. */
  static Set<String> models(GraphDefinition graph, String defaultModel) {
    Set<String> models = new LinkedHashSet<>();
    for (NodeDefinition node : graph.nodes()) {
      if (node.type() == NodeType.MODEL || node.type() == NodeType.ROUTER) {
        Object model = node.config().get("model");
        models.add(model == null ? defaultModel : model.toString());
      }
    }
    return models;
  }

  /** Runs {@code prompt} through {@code model} when it is given, else through the graph. */
  QueryResult run(String prompt, String model) {
    return model != null ? generate(prompt, model, null) : runGraph(prompt);
  }

  /** Streams {@code model}'s answer to {@code tokens} as it comes. */
  QueryResult stream(String prompt, String model, Consumer<String> tokens) {
    return generate(prompt, requireNonNull(model, "model is null"), tokens);
  }

  private QueryResult runGraph(String prompt) {
    if (graph == null) {
      throw new IllegalStateException("no graph and no model");
    }
    GraphRun run = app.get(GraphEngine.class).run(graph, prompt);
    String models = String.join(",", models(graph, app.get(ExecutorConfig.class).defaultModel()));
    return new QueryResult(
        run.success() ? run.output() : null,
        models,
        graph.id(),
        run.success() ? null : CliErrors.describe(run.error()),
        run.promptTokens(),
        run.outputTokens(),
        run.latency(),
        run.trace(),
        Map.of(),
        run.success() ? null : run.rootCause() != null ? run.rootCause() : ErrorType.GRAPH,
        run.success() && run.cached());
  }

  private QueryResult generate(String prompt, String model, Consumer<String> tokens) {
    LlmClient client = app.get(LlmClient.class);
    GenerateRequest request =
        this.request.apply(GenerateRequest.builder(model, prompt).options(options)).build();
    long start = System.nanoTime();
    long[] firstToken = {-1};
    try {
      LlmResponse response;
      if (tokens == null) {
        response = client.generate(request);
      } else {
        StreamHandle handle =
            client.generateStream(
                request,
                new StreamListener() {
                  @Override
                  public void onToken(String token) {
                    if (firstToken[0] < 0) {
                      firstToken[0] = System.nanoTime();
                    }
                    tokens.accept(token);
                  }
                });
        response = awaitStream(handle);
      }
      Duration latency = Duration.ofNanos(System.nanoTime() - start);
      Map<String, Object> timings = new LinkedHashMap<>();
      timings.put("load_seconds", CliJson.seconds(response.loadDuration()));
      timings.put("prompt_eval_seconds", CliJson.seconds(response.promptEvalDuration()));
      timings.put("eval_seconds", CliJson.seconds(response.evalDuration()));
      timings.put("tokens_per_second", Math.round(response.tokensPerSecond() * 10) / 10.0);
      if (response.doneReason() != null) {
        timings.put("done_reason", response.doneReason());
      }
      if (firstToken[0] >= 0) {
        timings.put(
            "time_to_first_token_seconds",
            CliJson.seconds(Duration.ofNanos(firstToken[0] - start)));
      }
      return new QueryResult(
          response.text(),
          model,
          null,
          null,
          response.promptTokens(),
          response.outputTokens(),
          latency,
          List.of(),
          timings,
          null,
          response.cached());
    } catch (CompletionException e) {
      if (e.getCause() instanceof LlmException llm) {
        return failed(model, llm, start);
      }
      throw e;
    } catch (LlmException e) {
      return failed(model, e, start);
    }
  }

  /** The stream's answer; an interrupt (the run was stopped) cancels the stream. */
  private static LlmResponse awaitStream(StreamHandle handle) {
    try {
      return handle.completion().get();
    } catch (InterruptedException e) {
      handle.cancel();
      Thread.currentThread().interrupt();
      throw new CancelledException("Interrupted", e);
    } catch (ExecutionException e) {
      throw new CompletionException(e.getCause());
    }
  }

  private static QueryResult failed(String model, LlmException e, long start) {
    return new QueryResult(
        null,
        model,
        null,
        CliErrors.translate(e, model).getMessage(),
        0,
        0,
        Duration.ofNanos(System.nanoTime() - start),
        List.of(),
        Map.of(),
        e instanceof CircuitOpenException open ? open.rootCause() : e.errorType(),
        false);
  }
}
