package io.tinyllm.cli;

import io.tinyllm.metrics.MetricsConfig;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.metrics.exporter.HttpMetricsExporter;
import io.tinyllm.metrics.exporter.PushResult;
import io.tinyllm.metrics.exporter.PushgatewayAddress;
import io.tinyllm.metrics.exporter.PushgatewayConfig;
import io.tinyllm.metrics.exporter.PushgatewayMetricsExporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * How a command's metrics get out: a {@code /metrics} endpoint while it runs (and for a while
 * after, so a scrape sees the last counts), and a push to a Pushgateway when it is done.
 */
final class MetricsOptions {
  /** The environment variable the Pushgateway password is read from when no file is given. */
  static final String PUSH_PASSWORD_ENV = "TINYLLM_PUSH_PASSWORD";

  /**
   * What a push carries: the job's own results. Never gauges of the process (loaded models, VRAM,
   * system info, JVM): the Pushgateway keeps a push until it is replaced, so they would describe a
   * process that has ended, counted next to the ones still running.
   */
  static final List<String> JOB_FAMILIES =
      List.of(
          "tinyllm_batch_*",
          "tinyllm_requests_total",
          "tinyllm_request_outcomes_total",
          "tinyllm_request_latency_seconds",
          "tinyllm_tokens_input_total",
          "tinyllm_tokens_output_total",
          "tinyllm_errors_total",
          "tinyllm_graph_executions_total",
          "tinyllm_graph_outcomes_total",
          "tinyllm_graph_execution_duration_seconds",
          "tinyllm_node_executions_total",
          "tinyllm_node_errors_total",
          "tinyllm_cache_hits_total",
          "tinyllm_cache_misses_total");

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      converter = PortConverter.class,
      description = "Serve /metrics on this port while running (0 picks a free one).")
  Integer port;

  @Option(
      names = "--metrics-addr",
      paramLabel = "ADDRESS",
      description = "Address of the /metrics endpoint (default 127.0.0.1: this machine only).")
  String addr;

  @Option(
      names = "--metrics-linger",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Keep serving /metrics this long after finishing (default 0s), for a scrape.")
  Duration linger;

  @Option(
      names = "--push-gateway",
      paramLabel = "HOST:PORT",
      converter = PushGatewayConverter.class,
      description = "Push the metrics to this Pushgateway when done (http://, https:// allowed).")
  String pushGateway;

  @Option(
      names = "--push-job",
      paramLabel = "NAME",
      converter = PushJobConverter.class,
      description = "Job name of the push: a stable name, no per-run grouping key.")
  String pushJob;

  @Option(
      names = "--push-user",
      paramLabel = "USER",
      description =
          "Push with basic auth as this user; the password comes from --push-password-file or $"
              + PUSH_PASSWORD_ENV
              + ".")
  String pushUser;

  @Option(
      names = "--push-password-file",
      paramLabel = "FILE",
      description = "File holding the Pushgateway password (one line) for --push-user.")
  Path pushPasswordFile;

  @Mixin MetricsSecurityOptions security;

  /** The process environment; a test gives its own. */
  Function<String, String> environment = System::getenv;

  boolean serving() {
    return port != null || addr != null;
  }

  boolean pushing() {
    return pushGateway != null;
  }

  /** Adds the exporter settings; {@code defaultJob} names the push when --push-job is absent. */
  void addTo(Map<String, String> settings, String defaultJob) {
    List<String> exporters = new ArrayList<>();
    if (serving()) {
      exporters.add(HttpMetricsExporter.NAME);
      settings.put(
          HttpExporterConfig.PORT,
          String.valueOf(port == null ? HttpExporterConfig.DEFAULT_PORT : port));
      settings.put(HttpExporterConfig.HOST, addr == null ? HttpExporterConfig.DEFAULT_HOST : addr);
      security.addTo(settings);
    } else if (linger != null) {
      throw new UsageException("--metrics-linger needs --metrics-port");
    } else if (security.given()) {
      throw new UsageException("--metrics-user and --metrics-tls-* need --metrics-port");
    }
    if ((pushJob != null || pushUser != null || pushPasswordFile != null) && !pushing()) {
      throw new UsageException(
          "--push-job, --push-user and --push-password-file need --push-gateway");
    }
    if (pushPasswordFile != null && pushUser == null) {
      throw new UsageException("--push-password-file needs --push-user");
    }
    if (pushing()) {
      settings.put(PushgatewayConfig.ADDRESS, pushGateway);
      settings.put(PushgatewayConfig.JOB, pushJob == null ? defaultJob : pushJob);
      if (pushUser != null) {
        settings.put(PushgatewayConfig.BASIC_AUTH_USER, pushUser);
        settings.put(
            PushgatewayConfig.BASIC_AUTH_PASSWORD,
            PasswordFile.read(
                "--push-user",
                "--push-password-file",
                pushPasswordFile,
                PUSH_PASSWORD_ENV,
                environment));
      }
      // the command pushes once, when done, and reports the result itself
      settings.put(PushgatewayConfig.PUSH_ON_CLOSE, "false");
      settings.put(PushgatewayConfig.FAMILIES, String.join(",", JOB_FAMILIES));
    }
    if (!exporters.isEmpty()) {
      settings.put(MetricsConfig.EXPORTERS, String.join(",", exporters));
    }
  }

  /**
   * Checks {@code --push-gateway} while picocli parses, with the exporter's own parser, so a bad
   * address is a usage error before any prompt runs rather than a failed push after all of them.
   */
  static final class PushGatewayConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        PushgatewayAddress.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(
            e.getMessage()
                .replace(
                    "give basic auth separately",
                    "use --push-user with --push-password-file or $" + PUSH_PASSWORD_ENV));
      }
      return value.strip();
    }
  }

  /** Checks {@code --push-job} as the exporter would, while picocli parses. */
  static final class PushJobConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        PushgatewayConfig.checkJobName(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
      return value;
    }
  }

  /** Says where /metrics is served, on stderr, when it is. */
  void announce(TinyLlm app, PrintWriter err) {
    app.metrics()
        .exporter(HttpMetricsExporter.class)
        .ifPresent(
            exporter -> {
              err.println("Serving metrics at " + exporter.uri());
              security.warnIfOpen(addr == null ? HttpExporterConfig.DEFAULT_HOST : addr, err);
              err.flush();
            });
  }

  /**
   * Pushes the registry. {@code replace}: replace everything under the job (a successful run);
   * otherwise add, replacing only the families pushed, so what a failed run leaves out (the last
   * success time of a batch) stays as the previous run left it.
   */
  PushResult push(TinyLlm app, boolean replace) {
    PushgatewayMetricsExporter exporter =
        (PushgatewayMetricsExporter) app.metrics().start(PushgatewayMetricsExporter.NAME);
    return replace ? exporter.push() : exporter.pushAdd();
  }

  /** Keeps the endpoint up for --metrics-linger (or until interrupted). */
  void linger(StopSignal stop) throws InterruptedException {
    if (serving() && linger != null && !linger.isZero()) {
      stop.await(linger);
    }
  }
}
