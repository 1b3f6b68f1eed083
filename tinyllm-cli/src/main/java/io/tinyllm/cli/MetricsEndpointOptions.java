package io.tinyllm.cli;

import io.tinyllm.metrics.exporter.HttpExporterConfig;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --port} and {@code --addr} of a command that serves {@code /metrics}. */
final class MetricsEndpointOptions {
  @Option(
      names = "--port",
      paramLabel = "PORT",
      converter = PortConverter.class,
      description = "Metrics port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = HttpExporterConfig.DEFAULT_PORT;

  @Option(
      names = "--addr",
      paramLabel = "ADDRESS",
      description = "Address to bind /metrics (default ${DEFAULT-VALUE}: this machine only).")
  String addr = HttpExporterConfig.DEFAULT_HOST;

  /** The settings that start the HTTP exporter on this address and port. */
  Map<String, String> settings() {
    return Map.of(
        "metrics.exporters",
        "http",
        HttpExporterConfig.HOST,
        addr,
        HttpExporterConfig.PORT,
        String.valueOf(port));
  }
}
