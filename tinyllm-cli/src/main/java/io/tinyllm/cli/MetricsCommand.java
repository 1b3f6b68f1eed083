package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tinyllm metrics}: a standing Prometheus endpoint for this process's registry. */
@Command(name = "metrics", description = "Serve /metrics until interrupted (or for --duration).")
final class MetricsCommand implements Callable<Integer> {
  @Mixin MetricsEndpointOptions endpoint;

  @Mixin DurationOption duration;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Duration runFor = duration.runFor();
    Settings settings = Settings.of(endpoint.settings());
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
