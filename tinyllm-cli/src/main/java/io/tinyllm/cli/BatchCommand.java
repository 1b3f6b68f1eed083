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
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
          + " index, line, id, prompt, outcome, answer or error, model, graph, tokens, latency.",
      "FILE ('-': stdin) is JSONL ({\"prompt\": \"...\", \"id\": ..., \"model\": \"...\","
          + " \"system\": \"...\", \"options\": {\"temperature\": 0}} per line; all but prompt"
          + " optional) or plain text (one prompt per line).",
      "A prompt runs on its own model, else --model, else through --graph (default: the"
          + " built-in qa.yaml, asking the configured model); system and options need a model.",
      "Progress is drawn on stderr when it is a terminal (not with TERM=dumb or CI set; no colour"
          + " with NO_COLOR); elsewhere a line every 30s.",
      "Exit status: 0 all answered, 1 a prompt or the push failed or FILE is invalid (nothing"
          + " runs then), 2 usage error, 130/143 Ctrl-C/SIGTERM, 141 the output was closed"
          + " (| head)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm batch prompts.jsonl -o results.jsonl --model qwen2.5:0.5b",
      "  tinyllm batch prompts.jsonl -o results.jsonl --resume        # after Ctrl-C",
      "  tinyllm batch prompts.jsonl -o results.jsonl --retry-failed",
      "  cat questions.txt | tinyllm batch - --model qwen2.5:0.5b | jq -r .answer"
    })
final class BatchCommand implements Callable<Integer> {
  static final String DEFAULT_PUSH_JOB = "tinyllm-batch";
  static final Duration DEFAULT_OUTAGE_WAIT = Duration.ofSeconds(60);

  /** What a shell reports for a writer whose pipe was closed (128 + SIGPIPE), as for `yes`. */
  static final int OUTPUT_CLOSED = 141;

  /** Invalid lines printed before the rest are only counted. */
  static final int MAX_ERRORS_SHOWN = 100;

  /** How often a plain progress line is written when stderr is no terminal. */
  static final Duration PLAIN_EVERY = Duration.ofSeconds(30);

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "Prompts: JSONL or plain text; '-' reads stdin.")
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
      description = "Write the results here ('-' or absent: stdout).")
  String output;

  @Option(
      names = "--resume",
      description =
          "Skip the prompts that already have a successful row in the -o FILE (matched by id,"
              + " else line number) and append the rest.")
  boolean resume;

  @Option(
      names = "--retry-failed",
      description =
          "Run again only the prompts whose last row in the -o FILE failed, appending the new"
              + " rows (the last row of a prompt is its result).")
  boolean retryFailed;

  @Option(
      names = "--graph",
      paramLabel = "FILE",
      description = "Graph to run prompts without a model through (default: built-in qa.yaml).")
  String graphFile;

  @Option(
      names = {"-m", "--model"},
      paramLabel = "NAME",
      description = "Ask this model directly for prompts that name none.")
  String model;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      converter = NonNegativeNumberConverter.class,
      description =
          "Sampling temperature for direct model calls whose line sets none (default: the"
              + " model's).")
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

  /** Where FILE {@code -} is read from; a test sets its own. */
  InputStream input = System.in;

  /** How progress is shown; null: as stderr and the environment say. A test sets its own. */
  ProgressStyle progressStyle;

  /** How often a plain progress line is written; a test shortens it. */
  Duration plainEvery = PLAIN_EVERY;

  /** Settings a test adds (breaker and retry timings the options do not reach). */
  Map<String, String> testSettings = Map.of();

  /** Failed prompts by the type of what went wrong (behind an open breaker, what opened it). */
  private final Map<ErrorType, Integer> failuresByCause = new EnumMap<>(ErrorType.class);

  @Override
  public Integer call() throws Exception {
    checkUsage();
    LogFormat.apply(logFormat);
    PrintWriter err = spec.commandLine().getErr();
    BatchInput.Parsed parsed = BatchInput.read(file, format, input);
    List<String> errors = new ArrayList<>(parsed.errors());
    errors.addAll(modelOnlyFields(parsed.prompts()));
    if (!errors.isEmpty()) {
      // enough to fix a file by; a wrong --format on a big file must not print a line per line
      errors.stream().limit(MAX_ERRORS_SHOWN).forEach(err::println);
      if (errors.size() > MAX_ERRORS_SHOWN) {
        err.println("... and " + (errors.size() - MAX_ERRORS_SHOWN) + " more");
      }
      err.flush();
      int bad = errors.size();
      throw new TinyLlmException(
          (file.equals(BatchInput.STDIO) ? "<stdin>" : file)
              + ": "
              + bad
              + (bad == 1 ? " invalid line" : " invalid lines")
              + "; nothing was run");
    }
    Path outputFile = toStdout() ? null : Path.of(output);
    BatchPrevious previous = previous(outputFile);
    List<BatchInput.Prompt> prompts = new ArrayList<>();
    for (BatchInput.Prompt prompt : parsed.prompts()) {
      String before = previous.outcome(prompt);
      boolean run =
          retryFailed
              ? PromptOutcome.ERROR.jsonName().equals(before)
              : !(resume && PromptOutcome.SUCCESS.jsonName().equals(before));
      if (run) {
        prompts.add(prompt);
      }
    }
    int skipped = parsed.prompts().size() - prompts.size();
    if (prompts.isEmpty()) {
      err.println(
          retryFailed
              ? "batch: nothing to retry: no prompt of " + file + " failed in " + output
              : "batch: nothing to run: all "
                  + skipped
                  + " prompts of "
                  + file
                  + " already succeeded in "
                  + output);
      err.flush();
      return ExitCodes.OK;
    }
    boolean needsGraph = model == null && prompts.stream().anyMatch(p -> p.model() == null);
    GraphDefinition graph = needsGraph ? QueryRunner.loadGraph(graphFile) : null;
    Map<String, String> settings = new LinkedHashMap<>();
    ollama.addTo(settings);
    cache.addTo(settings);
    queue.addTo(settings);
    metrics.addTo(settings, DEFAULT_PUSH_JOB);
    settings.putAll(testSettings);
    ProgressStyle style = progressStyle != null ? progressStyle : ProgressStyle.detect();

    try (PrintWriter results = openOutput(outputFile, previous);
        StopSignal stop = stopSignals.get();
        TinyLlm app = TinyLlm.start(Settings.of(settings))) {
      metrics.announce(app, err);
      Outcome outcome = runAll(app, graph, prompts, results, stop, style, err);
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
              "batch: %d prompts, %d succeeded, %d failed%s%s in %s%s",
              prompts.size(),
              outcome.succeeded,
              outcome.failed,
              failuresByCause.isEmpty() ? "" : " (" + causes() + ")",
              outcome.cancelled == 0 ? "" : ", " + outcome.cancelled + " cancelled",
              Table.seconds(outcome.took.toNanos() / 1e9),
              skipped == 0
                  ? ""
                  : "; "
                      + skipped
                      + " skipped ("
                      + (retryFailed ? "no failed row" : "already succeeded")
                      + " in "
                      + output
                      + ")");
      PushResult pushed = PushResult.ok();
      if (metrics.pushing()) {
        pushed = metrics.push(app, allSucceeded);
      }
      int notRun = prompts.size() - outcome.succeeded - outcome.failed - outcome.cancelled;
      if (outcome.outputClosed) {
        err.println(
            "tinyllm: stopped, the output was closed: " + summary + ", " + notRun + " not run");
      } else if (outcome.interrupted) {
        err.println("tinyllm: interrupted: " + summary + ", " + notRun + " not run");
      } else if (outcome.failed > 0) {
        err.println(
            "tinyllm: "
                + summary
                + " (see \"error\" in the results"
                + (toStdout() ? "" : " in " + output)
                + ")");
      } else {
        err.println(summary);
      }
      if (!pushed.success()) {
        err.println("tinyllm: " + pushed.message());
      }
      err.flush();
      // the summary first: a linger of minutes must not hide how the batch went
      if (!outcome.interrupted && !outcome.outputClosed) {
        metrics.linger(stop);
      }
      if (outcome.outputClosed) {
        return OUTPUT_CLOSED;
      }
      return outcome.failed == 0 && !outcome.interrupted && pushed.success()
          ? ExitCodes.OK
          : ExitCodes.FAILURE;
    }
  }

  private void checkUsage() {
    if (model != null && graphFile != null) {
      throw new UsageException("Give --graph or --model, not both");
    }
    if (!List.of("auto", "jsonl", "text").contains(format)) {
      throw new UsageException(
          "Invalid value '" + format + "' for --format: expected jsonl, text or auto");
    }
    if (resume && retryFailed) {
      throw new UsageException(
          "Give --resume (run what has not succeeded) or --retry-failed (run what failed), not"
              + " both");
    }
    if ((resume || retryFailed) && toStdout()) {
      throw new UsageException(
          (resume ? "--resume" : "--retry-failed")
              + " needs -o FILE: the results of the earlier run are read from it");
    }
    if (outageWait.isNegative()) {
      throw new UsageException("Invalid value '" + outageWait + "' for --outage-wait: negative");
    }
  }

  private boolean toStdout() {
    return output == null || output.equals(BatchInput.STDIO);
  }

  /** A line's system message and options are for a model; a graph sets its own. */
  private List<String> modelOnlyFields(List<BatchInput.Prompt> prompts) {
    List<String> errors = new ArrayList<>();
    String name = file.equals(BatchInput.STDIO) ? "<stdin>" : file;
    for (BatchInput.Prompt prompt : prompts) {
      if (prompt.model() == null && model == null) {
        String field =
            prompt.system() != null ? "system" : prompt.options() != null ? "options" : null;
        if (field != null) {
          errors.add(
              name
                  + ":"
                  + prompt.line()
                  + ": \""
                  + field
                  + "\" needs a model (the line's \"model\" or --model); a graph sets its own");
        }
      }
    }
    return errors;
  }

  private BatchPrevious previous(Path outputFile) {
    if (!resume && !retryFailed) {
      return BatchPrevious.none();
    }
    if (!Files.exists(outputFile)) {
      if (retryFailed) {
        throw new TinyLlmException(
            "--retry-failed: no earlier results in " + output + " (no such file)");
      }
      return BatchPrevious.none();
    }
    return BatchPrevious.read(outputFile);
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
      int succeeded,
      int failed,
      int cancelled,
      Duration took,
      boolean interrupted,
      boolean outputClosed) {}

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
      GraphDefinition graph,
      List<BatchInput.Prompt> prompts,
      PrintWriter results,
      StopSignal stop,
      ProgressStyle style,
      PrintWriter err)
      throws InterruptedException {
    RequestQueue requests = app.get(RequestQueue.class);
    OutageWait outage = new OutageWait(app.get(OllamaClient.class), outageWait);
    // never more waiting than the queue holds: the rest wait here instead of being rejected
    Semaphore room = new Semaphore(queue.maxQueueSizeOr(1000));
    Progress progress = new Progress(prompts.size(), style, err, plainEvery);
    Rows rows =
        new Rows(results, toStdout(), toStdout() && style.stdoutOnTerminal() ? progress.bar : null);
    List<CompletableFuture<QueryResult>> futures = new ArrayList<>();
    // the batch duration is a metric: timed on the application's ticker like every other one
    Ticker ticker = app.get(Ticker.class);
    long start = ticker.read();
    int written = 0;
    int[] counts = new int[PromptOutcome.values().length];
    boolean interrupted = false;
    try (ProgressBar.Routing logs = progress.routeLogs()) {
      for (BatchInput.Prompt prompt : prompts) {
        while (!room.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          if (stop.stopRequested() || rows.closed()) {
            break;
          }
        }
        if (stop.stopRequested() || rows.closed()) {
          interrupted = true;
          break;
        }
        QueryRunner runner = runner(app, graph, prompt);
        String target = prompt.model() != null ? prompt.model() : model;
        CompletableFuture<QueryResult> future =
            requests.submit(
                Priority.NORMAL, () -> outage.run(() -> runner.run(prompt.prompt(), target)));
        future.whenComplete(
            (result, failure) -> {
              room.release();
              if (!(failure instanceof CancellationException)) {
                progress.finished(failure == null && result.success());
              }
            });
        futures.add(future);
        // write what has finished, in input order, while the rest runs
        while (written < futures.size() && futures.get(written).isDone() && !rows.closed()) {
          counts[write(rows, prompts.get(written), futures.get(written)).ordinal()]++;
          written++;
        }
      }
      while (written < futures.size() && !rows.closed()) {
        CompletableFuture<QueryResult> future = futures.get(written);
        while (!future.isDone() && !stop.stopRequested()) {
          try {
            future.get(100, TimeUnit.MILLISECONDS);
          } catch (ExecutionException | TimeoutException | CancellationException e) {
            // looked at in write()
          }
        }
        if (!future.isDone()) {
          // interrupted: what was handed to the queue and has not finished is cancelled; what
          // finished meanwhile keeps its result
          interrupted = true;
          futures.subList(written, futures.size()).forEach(f -> f.cancel(true));
        }
        counts[write(rows, prompts.get(written), future).ordinal()]++;
        written++;
      }
      if (rows.closed()) {
        // nobody reads the rest: stop at once, as for Ctrl-C
        futures.subList(written, futures.size()).forEach(f -> f.cancel(true));
      }
      progress.end(interrupted || rows.closed());
    }
    return new Outcome(
        counts[PromptOutcome.SUCCESS.ordinal()],
        counts[PromptOutcome.ERROR.ordinal()],
        counts[PromptOutcome.CANCELLED.ordinal()],
        Duration.ofNanos(ticker.read() - start),
        interrupted && !rows.closed(),
        rows.closed());
  }

  /** The runner of one prompt: its own system message and options over the command's. */
  private QueryRunner runner(TinyLlm app, GraphDefinition graph, BatchInput.Prompt prompt) {
    GenerationOptions options;
    if (prompt.options() == null) {
      options = GenerationOptions.builder().temperature(temperature).build();
    } else if (prompt.options().temperature() == null && temperature != null) {
      options = prompt.options().toBuilder().temperature(temperature).build();
    } else {
      options = prompt.options();
    }
    return new QueryRunner(app, graph, options, request -> request.system(prompt.system()));
  }

  /** Writes the result line of {@code prompt} (its future is done); returns its outcome. */
  private PromptOutcome write(
      Rows rows, BatchInput.Prompt prompt, CompletableFuture<QueryResult> future) {
    QueryResult result;
    PromptOutcome outcome;
    if (future.isCancelled()) {
      // only an interrupted batch cancels: the prompt was in flight, not failed
      result = failedResult(prompt, "cancelled: the batch was interrupted", ErrorType.CANCELLED);
      outcome = PromptOutcome.CANCELLED;
    } else {
      try {
        result = future.getNow(null);
      } catch (CompletionException e) {
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
    rows.write(CliJson.line(line));
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
        rootCause,
        false);
  }

  private PrintWriter openOutput(Path outputFile, BatchPrevious previous) {
    try {
      return open(outputFile, previous);
    } catch (NoSuchFileException e) {
      throw new TinyLlmException(
          "Cannot write results to " + output + ": no such directory " + outputFile.getParent());
    } catch (AccessDeniedException e) {
      throw new TinyLlmException("Cannot write results to " + output + ": permission denied");
    } catch (IOException e) {
      throw new TinyLlmException("Cannot write results to " + output + ": " + e.getMessage(), e);
    }
  }

  private PrintWriter open(Path outputFile, BatchPrevious previous) throws IOException {
    if (outputFile == null) {
      PrintWriter out = spec.commandLine().getOut();
      // stdout is not ours to close
      return new PrintWriter(out) {
        @Override
        public void close() {
          flush();
        }
      };
    }
    if (previous.wholeLines() >= 0) {
      // the row being written when the earlier run died: cut it, its prompt runs again
      try (FileChannel channel = FileChannel.open(outputFile, StandardOpenOption.WRITE)) {
        channel.truncate(previous.wholeLines());
      }
    }
    PrintWriter writer =
        new PrintWriter(
            new OutputStreamWriter(
                resume || retryFailed
                    ? Files.newOutputStream(
                        outputFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                    : Files.newOutputStream(outputFile),
                StandardCharsets.UTF_8));
    return writer;
  }

  /** The results: rows written whole, above the bar when both share a terminal. */
  private static final class Rows {
    private final PrintWriter results;
    private final boolean stdout;
    private final ProgressBar bar;
    private boolean closed;

    Rows(PrintWriter results, boolean stdout, ProgressBar bar) {
      this.results = results;
      this.stdout = stdout;
      this.bar = bar;
    }

    void write(String row) {
      if (closed) {
        return;
      }
      Runnable print =
          () -> {
            results.println(row);
            results.flush();
          };
      if (bar != null) {
        bar.above(print);
      } else {
        print.run();
      }
      // a PrintWriter keeps its errors; picocli's stdout writer goes through System.out, which
      // keeps its own: either is how a closed pipe (| head) shows
      closed = results.checkError() || (stdout && System.out.checkError());
    }

    boolean closed() {
      return closed;
    }
  }

  /** The bar on a terminal; elsewhere a plain line every {@code plainEvery}. */
  private static final class Progress {
    private final int total;
    private final long plainEveryNanos;
    private final ProgressBar bar;
    private final PrintWriter err;
    private final long start = System.nanoTime();
    private int done;
    private int failed;
    private long lastLine = start;

    Progress(int total, ProgressStyle style, PrintWriter err, Duration plainEvery) {
      this.total = total;
      this.plainEveryNanos = plainEvery.toNanos();
      this.err = err;
      this.bar =
          style.redraw() ? new ProgressBar(err, "batch", ProgressBar.Unit.COUNT, style) : null;
      if (bar != null) {
        bar.update(0, total, "");
      }
    }

    ProgressBar.Routing routeLogs() {
      return bar != null ? bar.routeSystemErr() : () -> {};
    }

    /** A prompt was answered or failed (not a cancelled one: it did not finish). */
    synchronized void finished(boolean success) {
      done++;
      if (!success) {
        failed++;
      }
      if (bar != null) {
        bar.update(done, total, note());
        return;
      }
      long now = System.nanoTime();
      if (now - lastLine >= plainEveryNanos && now > start && done < total) {
        lastLine = now;
        double perSecond = done / ((now - start) / 1e9);
        err.printf(
            Locale.ROOT,
            "batch: %d/%d (%d%%)%s, %.1f/s, ETA %s%n",
            done,
            total,
            done * 100L / total,
            failed == 0 ? "" : ", " + failed + " failed",
            perSecond,
            ProgressBar.duration((total - done) / perSecond));
        err.flush();
      }
    }

    private String note() {
      return failed == 0 ? "" : "(" + failed + " failed)";
    }

    /** The bar shows what finished: an interrupted batch never claims 100 %. */
    synchronized void end(boolean interrupted) {
      if (bar == null) {
        return;
      }
      if (interrupted) {
        bar.stop((failed == 0 ? "" : note() + " ") + "stopped");
      } else {
        bar.update(done, total, note());
        bar.finish();
      }
    }
  }
}
