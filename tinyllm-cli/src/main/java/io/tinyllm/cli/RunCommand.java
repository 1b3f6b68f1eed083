package io.tinyllm.cli;

import io.tinyllm.api.config.Durations;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.ResponseFormat;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.executor.GraphDefinition;
import io.tinyllm.executor.NodeTrace;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.PushResult;
import io.tinyllm.ollama.OllamaConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tinyllm run "<query>"}: one query through a graph, or straight to a model. */
@Command(
    name = "run",
    sortOptions = false,
    description = {
      "Run one query through a graph (--graph FILE, else the built-in qa.yaml) or straight to a"
          + " model (--model NAME), and print the answer.",
      "The built-in graph asks the configured model ('model' in the config file or"
          + " TINYLLM_MODEL; default qwen2.5:0.5b) with the system message 'Answer briefly and"
          + " accurately.', temperature 0, num_predict 1024 (answer tokens), a 60s timeout and 1"
          + " retry; see it with: tinyllm graph export builtin:qa --format json",
      "Exit status: 0 answered, 1 failed (Ollama unreachable, model missing, bad graph, failed"
          + " push), 2 usage error."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm run Why is the sky blue                # words, through the built-in qa graph",
      "  tinyllm run -m qwen2.5:0.5b --stream Write a haiku about the sea",
      "  git diff | tinyllm run -m qwen2.5:1.5b --system 'Review this diff.' -",
      "  tinyllm run -m qwen2.5:0.5b --format json --json 'Three colours as a JSON list'",
      "  tinyllm run --graph my-graph.yaml --trace 'Route this question'"
    })
final class RunCommand implements Callable<Integer> {
  static final String DEFAULT_PUSH_JOB = "tinyllm-run";

  /** The most a prompt read from stdin may be: a bound on what a pipe can make us hold. */
  static final int MAX_STDIN_PROMPT_BYTES = 1 << 20;

  @Parameters(
      arity = "0..*",
      paramLabel = "PROMPT",
      description =
          "The question or prompt; several words are joined with spaces. Absent or '-': read"
              + " from stdin (at most 1 MiB).")
  List<String> words = new ArrayList<>();

  /** Where a prompt given as {@code -} or not at all is read from; a test sets its own. */
  InputStream input = System.in;

  String query;

  @Option(
      names = "--graph",
      paramLabel = "FILE",
      description = "Graph file (YAML) to run the query through (default: built-in qa.yaml).")
  String graphFile;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "NAME",
      description = "Ask this model directly instead of running a graph.")
  String model;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      converter = NonNegativeNumberConverter.class,
      description = "Sampling temperature for --model (default: the model's; 0 is cacheable).")
  Double temperature;

  @Option(names = "--system", paramLabel = "TEXT", description = "System message for --model.")
  String system;

  @Option(
      names = "--format",
      paramLabel = "json|FILE",
      description = "Answer as JSON (--model): 'json', or a file holding a JSON schema.")
  String format;

  @Option(
      names = "--think",
      negatable = true,
      description =
          "Ask a thinking model to think first, or (--no-think) not to (--model; default: the"
              + " model's).")
  Boolean think;

  @Option(
      names = "--keepalive",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long Ollama keeps the model loaded afterwards (--model; 0 unloads it).")
  Duration keepAlive;

  @Option(
      names = "--num-predict",
      paramLabel = "N",
      converter = PositiveIntConverter.class,
      description = "At most N tokens in the answer (--model).")
  Integer numPredict;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Give up on a call Ollama has not answered in this long (default 5m; for a stream,"
              + " its first token).")
  Duration timeout;

  @Option(
      names = "--stream",
      description = "Print the answer's tokens as they come (needs --model).")
  boolean stream;

  @Option(
      names = "--trace",
      description = "Show per-node latency and tokens (or Ollama's timings) on stderr.")
  boolean trace;

  @Option(
      names = "--json",
      description = "Print one JSON object: answer, model, graph, tokens, latency, trace.")
  boolean json;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      description = "Log lines on stderr as text (default) or json.")
  String logFormat;

  @Mixin OllamaOptions ollama;
  @Mixin CacheOptions cache;
  @Mixin QueueOptions queue;
  @Mixin MetricsOptions metrics;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    query = prompt();
    checkUsage();
    LogFormat.apply(logFormat);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // a bad graph fails before anything starts
    GraphDefinition graph = model == null ? QueryRunner.loadGraph(graphFile) : null;
    Map<String, String> settings = new LinkedHashMap<>();
    ollama.addTo(settings);
    if (timeout != null) {
      settings.put(OllamaConfig.REQUEST_TIMEOUT, Durations.format(timeout));
    }
    cache.addTo(settings);
    queue.addTo(settings);
    metrics.addTo(settings, DEFAULT_PUSH_JOB);
    GenerationOptions options =
        GenerationOptions.builder().temperature(temperature).numPredict(numPredict).build();
    ResponseFormat responseFormat = responseFormat();
    try (StopSignal stop = StopSignal.install();
        TinyLlm app = TinyLlm.start(Settings.of(settings))) {
      metrics.announce(app, err);
      QueryRunner runner =
          new QueryRunner(
              app,
              graph,
              options,
              request ->
                  request
                      .system(system)
                      .format(responseFormat)
                      .think(think)
                      .keepAlive(keepAlive == null ? null : keepAlive.toMillis() + "ms"));
      QueryResult result =
          awaitUnlessStopped(
              app.get(RequestQueue.class)
                  .submit(
                      Priority.NORMAL,
                      () ->
                          stream
                              ? runner.stream(
                                  query,
                                  model,
                                  token -> {
                                    out.print(token);
                                    out.flush();
                                  })
                              : runner.run(query, model)),
              stop);
      if (result == null) {
        // said here, before the stop signal is closed: once it is, the JVM may halt at any time
        err.println("tinyllm: Interrupted");
        err.flush();
        return ExitCodes.INTERRUPTED;
      }
      print(result, out, err);
      reportCut(result, err);
      PushResult pushed = metrics.pushing() ? metrics.push(app, true) : PushResult.ok();
      metrics.linger(stop);
      if (!result.success()) {
        throw new TinyLlmException(result.error());
      }
      if (!pushed.success()) {
        err.println("tinyllm: " + pushed.message());
        err.flush();
        return ExitCodes.FAILURE;
      }
    }
    return ExitCodes.OK;
  }

  /**
   * Says on stderr when an answer was cut at its token limit: straight to a model, the answer;
   * through a graph, each model node whose answer was cut (a later node may have worked on the cut
   * text).
   */
  static void reportCut(QueryResult result, PrintWriter err) {
    if ("length".equals(result.timings().get("done_reason"))) {
      err.println(
          "tinyllm: the answer was cut at the token limit ("
              + result.outputTokens()
              + " tokens); raise it with --num-predict");
    }
    for (NodeTrace node : result.trace()) {
      if (node.cutAtTokenLimit()) {
        err.println(
            "tinyllm: graph "
                + result.graph()
                + ", node '"
                + node.node()
                + "': the answer was cut at the token limit ("
                + node.outputTokens()
                + " tokens); raise num_predict in the node's options");
      }
    }
    err.flush();
  }

  /** The words joined with spaces, or stdin when there are none or the only one is {@code -}. */
  private String prompt() throws IOException {
    if (!words.isEmpty() && !(words.size() == 1 && words.get(0).equals("-"))) {
      return String.join(" ", words);
    }
    if (input == System.in && System.console() != null) {
      // nobody is piping a prompt: waiting for one would look like a hang
      throw new UsageException("No prompt: give it as arguments or pipe it on stdin");
    }
    byte[] bytes = input.readNBytes(MAX_STDIN_PROMPT_BYTES + 1);
    if (bytes.length > MAX_STDIN_PROMPT_BYTES) {
      throw new UsageException(
          "The prompt on stdin is larger than " + MAX_STDIN_PROMPT_BYTES + " bytes (1 MiB)");
    }
    return new String(bytes, StandardCharsets.UTF_8).strip();
  }

  /** The --format asked for: {@code json}, or the JSON schema in the named file. */
  private ResponseFormat responseFormat() throws IOException {
    if (format == null) {
      return null;
    }
    if (format.equals("json")) {
      return ResponseFormat.json();
    }
    Path file = Path.of(format);
    if (!Files.isRegularFile(file)) {
      throw new UsageException("--format: expected 'json' or a JSON schema file; no file " + file);
    }
    if (Files.size(file) > MAX_STDIN_PROMPT_BYTES) {
      throw new UsageException(file + ": a JSON schema larger than 1 MiB");
    }
    try {
      return ResponseFormat.schema(Files.readString(file));
    } catch (IllegalArgumentException e) {
      throw new UsageException(file + ": a JSON schema must be a JSON object");
    }
  }

  private void checkUsage() {
    if (model != null && graphFile != null) {
      throw new UsageException("Give --graph or --model, not both");
    }
    if (stream && model == null) {
      throw new UsageException(
          "--stream needs --model: a graph answers when its exit node is reached");
    }
    if (timeout != null && timeout.isZero()) {
      throw new UsageException("--timeout must be more than 0");
    }
    if (stream && json) {
      throw new UsageException("--stream and --json cannot be combined");
    }
    if (model == null) {
      String given =
          temperature != null
              ? "--temperature"
              : system != null
                  ? "--system"
                  : format != null
                      ? "--format"
                      : think != null
                          ? (think ? "--think" : "--no-think")
                          : keepAlive != null
                              ? "--keepalive"
                              : numPredict != null ? "--num-predict" : null;
      if (given != null) {
        throw new UsageException(given + " applies to --model; a graph sets its own options");
      }
    }
    if (query.isBlank()) {
      throw new UsageException(
          words.isEmpty() || words.equals(List.of("-"))
              ? "No prompt: give it as arguments or on stdin"
              : "The query is empty");
    }
  }

  private void print(QueryResult result, PrintWriter out, PrintWriter err) {
    if (json) {
      out.println(CliJson.pretty(result.toJson(true)));
    } else if (stream) {
      out.println();
    } else if (result.success()) {
      out.println(result.answer());
    }
    out.flush();
    if (trace && !json) {
      printTrace(result, err);
    }
  }

  static void printTrace(QueryResult result, PrintWriter err) {
    if (result.graph() != null) {
      err.printf(
          Locale.ROOT,
          "trace: graph %s, %d nodes, %s, %d prompt + %d output tokens%n",
          result.graph(),
          result.trace().size(),
          Table.seconds(result.latency().toNanos() / 1e9),
          result.promptTokens(),
          result.outputTokens());
      Table table = new Table("NODE", "TYPE", "OUTCOME", "ATTEMPTS", "LATENCY", "PROMPT", "OUTPUT");
      for (NodeTrace node : result.trace()) {
        table.row(
            node.node(),
            node.type().yamlName(),
            node.outcome(),
            node.attempts(),
            Table.seconds(node.latency().toNanos() / 1e9),
            node.promptTokens(),
            node.outputTokens());
      }
      table.print(err);
    } else {
      Map<String, Object> t = result.timings();
      StringBuilder line =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "trace: model %s, %s, %d prompt + %d output tokens",
                  result.model(),
                  Table.seconds(result.latency().toNanos() / 1e9),
                  result.promptTokens(),
                  result.outputTokens()));
      if (!t.isEmpty()) {
        line.append(
            String.format(
                Locale.ROOT,
                "; load %s, prompt eval %s, eval %s, %s tokens/s",
                Table.seconds(((Number) t.get("load_seconds")).doubleValue()),
                Table.seconds(((Number) t.get("prompt_eval_seconds")).doubleValue()),
                Table.seconds(((Number) t.get("eval_seconds")).doubleValue()),
                t.get("tokens_per_second")));
        if (t.containsKey("time_to_first_token_seconds")) {
          line.append(", first token after ")
              .append(Table.seconds(((Number) t.get("time_to_first_token_seconds")).doubleValue()));
        }
      }
      err.println(line);
    }
    err.flush();
  }

  /**
   * Waits for the queued query; Ctrl-C or SIGTERM cancels it at once (interrupting the call in
   * flight) and makes this return null.
   */
  static <T> T awaitUnlessStopped(CompletableFuture<T> future, StopSignal stop)
      throws InterruptedException {
    stop.onStop(() -> future.cancel(true));
    try {
      return future.get();
    } catch (CancellationException e) {
      if (stop.stopRequested()) {
        return null;
      }
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new TinyLlmException(String.valueOf(cause.getMessage()), cause);
    }
  }
}
