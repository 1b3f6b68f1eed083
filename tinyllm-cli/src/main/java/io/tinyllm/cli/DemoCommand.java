package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatedModel;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tinyllm demo}: everything working with nothing installed. Starts the built-in Ollama
 * simulator on loopback, drives a realistic mixed workload through the real client, cache, queue
 * and graph executor, serves {@code /metrics}, and prints a short summary every few seconds.
 */
@Command(
    name = "demo",
    description = {
      "Run a realistic workload against the built-in Ollama simulator (no Ollama needed) and"
          + " serve its metrics on /metrics."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm demo --duration 60s                    # metrics on http://127.0.0.1:9478/metrics",
      "  tinyllm demo --addr 0.0.0.0 --port 9478        # for a Prometheus in a container",
      "  tinyllm demo &  curl -s 127.0.0.1:9478/metrics | grep tinyllm_requests_total"
    })
final class DemoCommand implements Callable<Integer> {
  @Mixin MetricsEndpointOptions endpoint;

  @Mixin DurationOption duration;

  @Option(
      names = "--rate",
      paramLabel = "PER_SECOND",
      converter = NonNegativeNumberConverter.class,
      description = "Calls submitted per second (default ${DEFAULT-VALUE}).")
  double rate = 8;

  @Option(
      names = "--time-scale",
      paramLabel = "FACTOR",
      converter = NonNegativeNumberConverter.class,
      description = "Scale the simulator's delays (default ${DEFAULT-VALUE}; 1 is realistic).")
  double timeScale = 0.5;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Seed of the workload and the injected faults (default ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(
      names = "--summary-every",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "5s",
      description = "How often to print the summary line (default ${DEFAULT-VALUE}).")
  Duration summaryEvery;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Duration runFor = duration.runFor();
    Duration every = summaryEvery;
    if (rate <= 0 || rate > 1000) {
      throw new UsageException("--rate must be above 0 and at most 1000, not " + rate);
    }
    if (timeScale < 0 || timeScale > 100) {
      throw new UsageException("--time-scale must be from 0 to 100, not " + timeScale);
    }
    if (every.isZero()) {
      throw new UsageException("--summary-every must be longer than 0");
    }
    if (System.getProperty(LogSetup.LEVEL_PROPERTY) == null) {
      // the injected faults are expected: keep their retry warnings off the console
      System.setProperty(LogSetup.LEVEL_PROPERTY, "ERROR");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (StopSignal stop = StopSignal.install();
        OllamaSimulator simulator = startSimulator();
        TinyLlm app = TinyLlm.start(settings(simulator, endpoint.settings()))) {
      HttpMetricsExporter exporter =
          app.metrics().exporter(HttpMetricsExporter.class).orElseThrow();
      out.println("Ollama simulator at " + simulator.baseUri());
      out.println("Serving metrics at " + exporter.uri());
      out.flush();
      endpoint.warnIfOpen(spec.commandLine().getErr());
      try (DemoWorkload workload = DemoWorkload.create(app, simulator, seed, rate)) {
        workload.tour();
        workload.start();
        long started = System.nanoTime();
        long end = runFor == null ? Long.MAX_VALUE : started + runFor.toNanos();
        while (!stop.stopRequested() && System.nanoTime() < end) {
          long remaining = end - System.nanoTime();
          stop.await(Duration.ofNanos(Math.min(every.toNanos(), Math.max(1, remaining))));
          out.println(summary(workload, Duration.ofNanos(System.nanoTime() - started), app));
          out.flush();
        }
      }
    }
    return ExitCodes.OK;
  }

  private OllamaSimulator startSimulator() {
    try {
      return OllamaSimulator.start(simulatorConfig(timeScale, seed));
    } catch (IOException e) {
      throw new TinyLlmException(
          "Cannot start the built-in Ollama simulator: " + e.getMessage(), e);
    }
  }

  /**
   * The demo's simulator: the default models plus the coder model the routed graph uses, and pulls
   * slow enough to be scraped while they run.
   */
  static SimulatorConfig simulatorConfig(double timeScale, long seed) {
    return SimulatorConfig.builder()
        .timeScale(timeScale)
        .faultSeed(seed)
        .maxParallel(8)
        // 86 progress lines of 230 ms: a pull takes about 20 s times --time-scale (10 s by
        // default), several scrapes of the pull gauges at Prometheus' usual 15 s or less
        .pullSteps(20)
        .pullStepDelay(Duration.ofMillis(230))
        // the routed example graph sends code questions to a coder model
        .model(SimulatedModel.completion(DemoWorkload.CODER_MODEL).build())
        .build();
  }

  /**
   * The demo's settings: the simulator, a quick breaker and retries, a small cache and a small
   * queue.
   */
  static Settings settings(OllamaSimulator simulator, Map<String, String> endpoint) {
    return Settings.of(endpoint)
        .withAll(
            Map.ofEntries(
                Map.entry("ollama.host", simulator.baseUri().toString()),
                // the tour's failing call (three failed attempts) opens its model's breaker, and
                // the first call after the open duration closes it: every transition is shown
                Map.entry("ollama.circuit-breaker.failure-threshold", "3"),
                Map.entry("ollama.circuit-breaker.open-duration", "5s"),
                Map.entry("ollama.retry.initial-backoff", "50ms"),
                Map.entry("metrics.jvm.enabled", "true"),
                Map.entry("cache.enabled", "true"),
                Map.entry("cache.backend", "memory"),
                // fewer entries than the workload's distinct deterministic calls: evictions show
                Map.entry("cache.max-entries", "16"),
                Map.entry("queue.max-size", "16"),
                Map.entry("queue.workers", "4"),
                Map.entry("queue.backpressure", "reject")));
  }

  private static String summary(DemoWorkload workload, Duration elapsed, TinyLlm app) {
    long done = workload.succeeded.get() + workload.failed.get();
    return String.format(
        Locale.ROOT,
        "[%4ds] calls %d done, %d failed, %d rejected by the queue | graphs %d | %d output tokens"
            + " | queue %d waiting",
        elapsed.toSeconds(),
        done,
        workload.failed.get(),
        workload.rejected.get(),
        workload.graphRuns.get(),
        workload.outputTokens.get(),
        app.get(RequestQueue.class).size());
  }
}
