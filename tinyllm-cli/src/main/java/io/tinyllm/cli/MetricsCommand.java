package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import io.tinyllm.ollama.OllamaClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tinyllm metrics}: a standing Prometheus endpoint for this process's registry; with {@code
 * --ollama URL} also an exporter for that Ollama server (up or not, models loaded, VRAM).
 */
@Command(
    name = "metrics",
    description = {
      "Serve /metrics until interrupted (or for --duration).",
      "With --ollama, also probe that Ollama server and export whether it is up and its loaded"
          + " models."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm metrics --port 9478",
      "  tinyllm metrics --ollama 127.0.0.1:11434 --probe-interval 15s   # an Ollama exporter"
    })
final class MetricsCommand implements Callable<Integer> {
  @Mixin MetricsEndpointOptions endpoint;

  @Mixin DurationOption duration;

  @Option(
      names = "--ollama",
      paramLabel = "URL",
      converter = OllamaOptions.AddressConverter.class,
      description = "Also export this Ollama server's health and inventory.")
  String ollama;

  @Option(
      names = "--probe-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "15s",
      description = "How often to probe the Ollama server (default ${DEFAULT-VALUE}).")
  Duration probeInterval;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Duration runFor = duration.runFor();
    Duration interval = probeInterval;
    if (interval.isZero()) {
      throw new UsageException("--probe-interval must be longer than 0");
    }
    Map<String, String> settings = new HashMap<>(endpoint.settings());
    if (ollama != null) {
      settings.put("ollama.host", ollama);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (StopSignal stop = StopSignal.install();
        TinyLlm app = TinyLlm.start(Settings.of(settings));
        OllamaProbe probe =
            ollama == null
                ? null
                : new OllamaProbe(app.get(OllamaClient.class), app.metrics().registry())) {
      HttpMetricsExporter exporter =
          app.metrics().exporter(HttpMetricsExporter.class).orElseThrow();
      if (probe != null) {
        // the first probe runs now, so the first scrape already knows
        probe.start(interval);
        out.println("Probing Ollama at " + app.get(OllamaClient.class).host());
      }
      out.println("Serving metrics at " + exporter.uri());
      out.flush();
      endpoint.warnIfOpen(spec.commandLine().getErr());
      stop.await(runFor);
    }
    return ExitCodes.OK;
  }
}
