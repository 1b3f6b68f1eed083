package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tinyllm metrics}: a standing Prometheus endpoint for this process's registry. */
@Command(name = "metrics", description = "Serve /metrics until interrupted (or for --duration).")
final class MetricsCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = HttpExporterConfig.DEFAULT_PORT;

  @Option(
      names = "--addr",
      paramLabel = "ADDRESS",
      description = "Address to bind (default ${DEFAULT-VALUE}: this machine only).")
  String addr = HttpExporterConfig.DEFAULT_HOST;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      description = "Stop after this long (30s, 5m); runs until interrupted when absent.")
  String duration;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Duration runFor = duration == null ? null : Settings.parseDuration("--duration", duration);
    Settings settings =
        Settings.of(
            Map.of(
                "metrics.exporters",
                "http",
                HttpExporterConfig.HOST,
                addr,
                HttpExporterConfig.PORT,
                String.valueOf(port)));
    try (StopSignal stop = StopSignal.install();
        Application app = Application.start(settings)) {
      HttpMetricsExporter exporter =
          app.metrics().exporter(HttpMetricsExporter.class).orElseThrow();
      spec.commandLine().getOut().println("Serving metrics at " + exporter.uri());
      spec.commandLine().getOut().flush();
      stop.await(runFor);
    }
    return ExitCodes.OK;
  }
}
