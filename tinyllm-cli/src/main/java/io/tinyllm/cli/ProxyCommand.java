package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import io.tinyllm.proxy.ProxyConfig;
import io.tinyllm.proxy.ProxyServer;
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
 * {@code tinyllm proxy}: Ollama's API on another port, forwarded unchanged, with the metrics Ollama
 * lacks served at {@code /metrics} on the same port.
 */
@Command(
    name = "proxy",
    description = {
      "Forward Ollama's API unchanged and record metrics for every client (curl, Open WebUI,"
          + " LangChain, ...): point them at this port instead of Ollama's; /metrics is served"
          + " here too."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm proxy                                 # :11435 to Ollama at $OLLAMA_HOST",
      "  OLLAMA_HOST=127.0.0.1:11435 ollama run qwen2.5:0.5b",
      "  tinyllm proxy --port 8080 --ollama gpu-box:11434 --metrics-port 9478"
    })
final class ProxyCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port to listen on (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port = ProxyConfig.DEFAULT_PORT;

  @Option(
      names = "--addr",
      paramLabel = "ADDRESS",
      description = "Address to bind (default ${DEFAULT-VALUE}: this machine only).")
  String addr = ProxyConfig.DEFAULT_HOST;

  @Mixin OllamaOptions ollama;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description = "Also serve /metrics on this port (0 picks a free one).")
  Integer metricsPort;

  @Option(
      names = "--metrics-addr",
      paramLabel = "ADDRESS",
      description = "Address of --metrics-port (default 127.0.0.1).")
  String metricsAddr;

  @Option(
      names = "--max-concurrent",
      paramLabel = "N",
      description = "Exchanges served at once, one thread each (default ${DEFAULT-VALUE}).")
  int maxConcurrent = ProxyConfig.DEFAULT_MAX_CONCURRENT;

  @Mixin DurationOption duration;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Duration runFor = duration.runFor();
    Map<String, String> settings = new HashMap<>();
    settings.put(ProxyConfig.HOST, addr);
    settings.put(ProxyConfig.PORT, String.valueOf(checkPort(port, "--port")));
    if (maxConcurrent < 1 || maxConcurrent > 10_000) {
      throw new UsageException("--max-concurrent must be from 1 to 10000, got " + maxConcurrent);
    }
    settings.put(ProxyConfig.MAX_CONCURRENT, String.valueOf(maxConcurrent));
    ollama.addTo(settings);
    if (metricsPort != null || metricsAddr != null) {
      settings.put("metrics.exporters", HttpMetricsExporter.NAME);
      settings.put(
          HttpExporterConfig.PORT,
          String.valueOf(
              metricsPort == null
                  ? HttpExporterConfig.DEFAULT_PORT
                  : checkPort(metricsPort, "--metrics-port")));
      settings.put(
          HttpExporterConfig.HOST,
          metricsAddr == null ? HttpExporterConfig.DEFAULT_HOST : metricsAddr);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (StopSignal stop = StopSignal.install();
        TinyLlm app = TinyLlm.start(Settings.of(settings))) {
      ProxyServer proxy = app.get(ProxyServer.class);
      proxy.start();
      out.println("Proxying " + proxy.uri() + " to Ollama at " + proxy.upstream());
      out.println("Serving metrics at " + proxy.uri() + "/metrics");
      app.metrics()
          .exporter(HttpMetricsExporter.class)
          .ifPresent(exporter -> out.println("Serving metrics at " + exporter.uri()));
      out.flush();
      stop.await(runFor);
    }
    return ExitCodes.OK;
  }

  private static int checkPort(int value, String option) {
    if (value < 0 || value > 65535) {
      throw new UsageException(option + " must be from 0 to 65535, got " + value);
    }
    return value;
  }
}
