package io.tinyllm.cli;

import io.tinyllm.metrics.exporter.HttpExporterConfig;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --port} and {@code --addr} of a command that serves {@code /metrics}. */
final class MetricsEndpointOptions {
  @Option(
      names = "--port",
      paramLabel = "PORT",
      converter = PortConverter.class,
      description =
          "Metrics port (default: metrics-port of the config file or TINYLLM_METRICS_PORT, else"
              + " 9478; 0 picks a free one).")
  Integer port;

  @Option(
      names = "--addr",
      paramLabel = "ADDRESS",
      description = "Address to bind /metrics (default ${DEFAULT-VALUE}: this machine only).")
  String addr = HttpExporterConfig.DEFAULT_HOST;

  @Mixin MetricsSecurityOptions security;

  /** The settings that start the HTTP exporter on this address and port, with auth and TLS. */
  Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("metrics.exporters", "http");
    settings.put(HttpExporterConfig.HOST, addr);
    settings.put(HttpExporterConfig.PORT, String.valueOf(port()));
    security.addTo(settings);
    return settings;
  }

  /** The port: the flag, else the user's configuration, else 9478. */
  int port() {
    return port != null ? port : CliConfig.current().metricsPort(HttpExporterConfig.DEFAULT_PORT);
  }

  /** One line on {@code err} when /metrics is open to the network without a password. */
  void warnIfOpen(PrintWriter err) {
    security.warnIfOpen(addr, err);
  }
}
