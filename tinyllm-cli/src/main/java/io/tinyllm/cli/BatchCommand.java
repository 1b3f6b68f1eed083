package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.api.time.Ticker;
import io.tinyllm.executor.GraphDefinition;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.PushResult;
import io.tinyllm.ollama.OllamaClient;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tinyllm batch FILE}: every prompt of a file through the request queue, results as JSONL,
 * batch metrics pushed to a Pushgateway at the end.
 */
@Command(
    name = "batch",
    sortOptions = false,
    description = {
      "Run every prompt of FILE through the request queue and write one JSON line per prompt:"
          + " index, line, id, model, graph, answer or error, tokens, latency.",
      "FILE is JSONL ({\"prompt\": \"...\", \"model\": \"...\", \"id\": \"...\"} per line; model"
          + " and id optional) or plain text (one prompt per line).",
      "A prompt runs on its own model, else --model, else through --graph (default: the"
          + " built-in qa.yaml).",
      "Exit status: 0 all answered, 1 a prompt or the push failed or FILE is invalid (nothing"
          + " runs then), 2 usage error."
    })
final class BatchCommand implements Callable<Integer> {
  static final String DEFAULT_PUSH_JOB = "tinyllm-batch";
  static final Duration DEFAULT_OUTAGE_WAIT = Duration.ofSeconds(60);

  @Parameters(index = "0", paramLabel = "FILE", description = "Prompts: JSONL or plain text.")
  String file;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description =
          "jsonl, text or auto (default: jsonl for .jsonl/.ndjson/.json files or when the first"
              + " line starts with '{').")
  String format = "auto";

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the results here (default: stdout).")
  Path output;

  @Option(
      names = "--graph",
      paramLabel = "FILE",
      description = "Graph to run prompts without a model through (default: built-in qa.yaml).")
  String graphFile;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      description = "Ask this model directly for prompts that name none.")
  String model;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      converter = NonNegativeNumberConverter.class,
      description = "Sampling temperature for direct model calls (default: the model's).")
  Double temperature;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      description = "Log lines on stderr as text (default) or json.")
  String logFormat;

  @Option(
      names = "--outage-wait",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "When Ollama is out (refused, timed out, busy, 5xx, circuit breaker open), retry a"
              + " prompt as the breaker lets trial calls through, for up to this long before it"
              + " fails (default 60s; 0s fails at once).")
  Duration outageWait = DEFAULT_OUTAGE_WAIT;

  @Mixin OllamaOptions ollama;
  @Mixin CacheOptions cache;
  @Mixin QueueOptions queue;
  @Mixin MetricsOptions metrics;

  @Spec CommandSpec spec;

  /** Where the stop signal comes from: Ctrl-C's shutdown hook; a test asks for the stop itself. */
  Supplier<StopSignal> stopSignals = StopSignal::install;

  /** Settings a test adds (breaker and retry timings the options do not reach). */
  Map<String, String> testSettings = Map.of();

  /** Failed prompts by the type of what went wrong (behind an open breaker, what opened it). */
  private final Map<ErrorType, Integer> failuresByCause = new EnumMap<>(ErrorType.class);

  @Override
  public Integer call() throws Exception {
    if (model != null && graphFile != null) {
      throw new UsageException("Give --graph or --model, not both");
    }
    if (!List.of("auto", "jsonl", "text").contains(format)) {
      throw new UsageException(
          "Invalid value '" + format + "' for --format: expected jsonl, text or auto");
    }
    LogFormat.apply(logFormat);
    PrintWriter err = spec.commandLine().getErr();
    BatchInput.Parsed parsed = BatchInput.read(file, format);
    if (!parsed.errors().isEmpty()) {
      parsed.errors().forEach(err::println);
      err.flush();
      int bad = parsed.errors().size();
      throw new TinyLlmException(
          file
              + ": "
              + bad
              + (bad == 1 ? " invalid line" : " invalid lines")
              + "; nothing was run");
    }
    List<BatchInput.Prompt> prompts = parsed.prompts();
    boolean needsGraph = model == null && prompts.stream().anyMatch(p -> p.model() == null);
    GraphDefinition graph = needsGraph ? QueryRunner.loadGraph(graphFile) : null;
    Map<String, String> settings = new LinkedHashMap<>();
    ollama.addTo(settings);
    cache.addTo(settings);
    queue.addTo(settings);
    metrics.addTo(settings, DEFAULT_PUSH_JOB);
    settings.putAll(testSettings);
    if (outageWait.isNegative()) {
      throw new UsageException("Invalid value '" + outageWait + "' for --outage-wait: negative");
    }
    GenerationOptions options = GenerationOptions.builder().temperature(temperature).build();

    try (PrintWriter results = openOutput();
        StopSignal stop = stopSignals.get();
        TinyLlm app = TinyLlm.start(Settings.of(settings))) {
      metrics.announce(app, err);
      Outcome outcome = runAll(app, new QueryRunner(app, graph, options), prompts, results, stop);
      boolean allSucceeded = outcome.succeeded == prompts.size();
      BatchMetrics batchMetrics = new BatchMetrics();
      batchMetrics.finished(
          app.metrics().registry(),
          outcome.succeeded,
          outcome.failed,
          outcome.cancelled,
          outcome.took,
          allSucceeded ? Instant.now() : null);
      String summary =
          String.format(
              Locale.ROOT,
              "batch: %d prompts, %d succeeded, %d failed%s%s in %s",
              prompts.size(),
              outcome.succeeded,
              outcome.failed,
              failuresByCause.isEmpty() ? "" : " (" + causes() + ")",
              outcome.cancelled == 0 ? "" : ", " + outcome.cancelled + " cancelled",
              Table.seconds(outcome.took.toNanos() / 1e9));
      PushResult pushed = PushResult.ok();
      if (metrics.pushing()) {
        pushed = metrics.push(app, allSucceeded);
      }
      metrics.linger(stop);
      if (outcome.interrupted) {
        err.println(
            "tinyllm: interrupted: "
                + summary
                + ", "
                + (prompts.size() - outcome.succeeded - outcome.failed - outcome.cancelled)
                + " not run");
      } else if (outcome.failed > 0) {
        err.println(
            "tinyllm: "
                + summary
                + " (see \"error\" in the results"
                + (output == null ? "" : " in " + output)
                + ")");
      } else {
        err.println(summary);
      }
      if (!pushed.success()) {
        err.println("tinyllm: " + pushed.message());
      }
      err.flush();
      return outcome.failed == 0 && !outcome.interrupted && pushed.success()
          ? ExitCodes.OK
          : ExitCodes.FAILURE;
    }
  }

  /** {@code connection 240, server_error 11}: most frequent first. */
  private String causes() {
    return failuresByCause.entrySet().stream()
        .sorted(
            Map.Entry.<ErrorType, Integer>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .map(e -> e.getKey().label() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private record Outcome(
      int succeeded, int failed, int cancelled, Duration took, boolean interrupted) {}

  /** What became of one prompt, as its result line says in {@code outcome}. */
  enum PromptOutcome {
    SUCCESS,
    ERROR,
    /** In flight when the batch was interrupted (Ctrl-C): neither answered nor failed. */
    CANCELLED;

    String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private Outcome runAll(
      TinyLlm app,
      QueryRunner runner,
      List<BatchInput.Prompt> prompts,
      PrintWriter results,
      StopSignal stop)
      throws InterruptedException {
    RequestQueue requests = app.get(RequestQueue.class);
    OutageWait outage = new OutageWait(app.get(OllamaClient.class), outageWait);
    // never more waiting than the queue holds: the rest wait here instead of being rejected
    Semaphore room = new Semaphore(queue.maxQueueSizeOr(1000));
    ProgressBar bar =
        ProgressBar.onTerminal() ? new ProgressBar(spec.commandLine().getErr(), "batch") : null;
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failedSoFar = new AtomicInteger();
    List<CompletableFuture<QueryResult>> futures = new ArrayList<>();
    // the batch duration is a metric: timed on the application's ticker like every other one
    Ticker ticker = app.get(Ticker.class);
    long start = ticker.read();
    int written = 0;
    int[] counts = new int[PromptOutcome.values().length];
    boolean interrupted = false;
    for (BatchInput.Prompt prompt : prompts) {
      while (!room.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        if (stop.stopRequested()) {
          break;
        }
      }
      if (stop.stopRequested()) {
        interrupted = true;
        break;
      }
      String target = prompt.model() != null ? prompt.model() : model;
      CompletableFuture<QueryResult> future =
          requests.submit(
              Priority.NORMAL, () -> outage.run(() -> runner.run(prompt.prompt(), target)));
      future.whenComplete(
          (result, failure) -> {
            room.release();
            int n = done.incrementAndGet();
            if (failure != null || !result.success()) {
              failedSoFar.incrementAndGet();
            }
            if (bar != null) {
              bar.update(n, prompts.size(), n + "/" + prompts.size() + failedNote(failedSoFar));
            }
          });
      futures.add(future);
      // write what has finished, in input order, while the rest runs
      while (written < futures.size() && futures.get(written).isDone()) {
        counts[write(results, prompts.get(written), futures.get(written)).ordinal()]++;
        written++;
      }
    }
    while (written < futures.size()) {
      CompletableFuture<QueryResult> future = futures.get(written);
      while (!future.isDone() && !stop.stopRequested()) {
        try {
          future.get(100, TimeUnit.MILLISECONDS);
        } catch (ExecutionException
            | TimeoutException
            | java.util.concurrent.CancellationException e) {
          // looked at in write()
        }
      }
      if (!future.isDone()) {
        // interrupted: what was handed to the queue and has not finished is cancelled; what
        // finished meanwhile keeps its result
        interrupted = true;
        futures.subList(written, futures.size()).forEach(f -> f.cancel(true));
      }
      counts[write(results, prompts.get(written), future).ordinal()]++;
      written++;
    }
    if (bar != null) {
      bar.finish();
    }
    return new Outcome(
        counts[PromptOutcome.SUCCESS.ordinal()],
        counts[PromptOutcome.ERROR.ordinal()],
        counts[PromptOutcome.CANCELLED.ordinal()],
        Duration.ofNanos(ticker.read() - start),
        interrupted);
  }

  private static String failedNote(AtomicInteger failed) {
    int n = failed.get();
    return n == 0 ? "" : " (" + n + " failed)";
  }

  /** Writes the result line of {@code prompt} (its future is done); returns its outcome. */
  private PromptOutcome write(
      PrintWriter results, BatchInput.Prompt prompt, CompletableFuture<QueryResult> future) {
    QueryResult result;
    PromptOutcome outcome;
    if (future.isCancelled()) {
      // only an interrupted batch cancels: the prompt was in flight, not failed
      result = failedResult(prompt, "cancelled: the batch was interrupted", ErrorType.CANCELLED);
      outcome = PromptOutcome.CANCELLED;
    } else {
      try {
        result = future.getNow(null);
      } catch (java.util.concurrent.CompletionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        result = failedResult(prompt, CliErrors.describe(cause.getMessage()), rootCause(cause));
      }
      outcome = result.success() ? PromptOutcome.SUCCESS : PromptOutcome.ERROR;
      if (!result.success()) {
        ErrorType cause = result.rootCause() == null ? ErrorType.INTERNAL : result.rootCause();
        failuresByCause.merge(cause, 1, Integer::sum);
      }
    }
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("index", prompt.index());
    line.put("line", prompt.line());
    line.put("id", prompt.id());
    line.put("prompt", prompt.prompt());
    line.put("outcome", outcome.jsonName());
    line.putAll(result.toJson(false));
    results.println(CliJson.line(line));
    results.flush();
    return outcome;
  }

  private static ErrorType rootCause(Throwable failure) {
    if (failure instanceof CircuitOpenException open) {
      return open.rootCause();
    }
    return failure instanceof TinyLlmException t ? t.errorType() : ErrorType.INTERNAL;
  }

  private QueryResult failedResult(BatchInput.Prompt prompt, String error, ErrorType rootCause) {
    return new QueryResult(
        null,
        prompt.model() != null ? prompt.model() : model,
        null,
        error,
        0,
        0,
        Duration.ZERO,
        List.of(),
        Map.of(),
        rootCause);
  }

  private PrintWriter openOutput() throws IOException {
    if (output == null) {
      PrintWriter out = spec.commandLine().getOut();
      // stdout is not ours to close
      return new PrintWriter(out) {
        @Override
        public void close() {
          flush();
        }
      };
    }
    return new PrintWriter(
        new OutputStreamWriter(Files.newOutputStream(output), StandardCharsets.UTF_8));
  }
}
