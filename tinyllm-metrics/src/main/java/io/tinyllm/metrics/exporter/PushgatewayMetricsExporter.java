package io.tinyllm.metrics.exporter;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.pushgateway.PushGateway;
import io.prometheus.metrics.exporter.pushgateway.Scheme;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the shared registry (the families of {@code metrics.pushgateway.families}) to a
 * Pushgateway, for batch jobs that end before a scrape could see them. Always under the configured
 * job name; optionally every {@code interval}; once more when closed. A failed push is logged and
 * counted and returned as a {@link PushResult}: it never throws into the job that pushes.
 *
 * <pre>{@code
 * PushResult result = exporter.push();
 * if (!result.success()) { System.err.println("push failed: " + result.message()); }
 * }</pre>
 */
public final class PushgatewayMetricsExporter implements MetricsExporter {
  public static final String NAME = "pushgateway";
  private static final Logger log = LoggerFactory.getLogger(PushgatewayMetricsExporter.class);

  private final PrometheusRegistry registry;
  private final PushgatewayConfig config;
  private final PushgatewayMetrics metrics;
  private final MultiCollector pushed;
  private PushGateway gateway;
  private ScheduledExecutorService scheduler;

  public PushgatewayMetricsExporter(
      PrometheusRegistry registry, PushgatewayConfig config, PushgatewayMetrics metrics) {
    this.registry = requireNonNull(registry, "registry is null");
    this.config = requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.pushed = () -> config.families().filter(registry.scrape());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized void start() {
    if (gateway != null) {
      return;
    }
    // explicit properties so io.prometheus.exporter.pushgateway.* in the environment cannot
    // redirect the push elsewhere
    PushGateway.Builder builder =
        PushGateway.builder(PrometheusProperties.builder().build())
            .address(config.address())
            .scheme(config.https() ? Scheme.HTTPS : Scheme.HTTP)
            .job(config.requireJob())
            .registry(registry)
            .connectionTimeout(config.timeout())
            .readTimeout(config.timeout());
    config.groupingKey().forEach(builder::groupingKey);
    config
        .basicAuthUser()
        .ifPresent(user -> builder.basicAuth(user, config.basicAuthPassword().orElseThrow()));
    config.bearerToken().ifPresent(builder::bearerToken);
    gateway = builder.build();
    if (!config.interval().isZero()) {
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "tinyllm-pushgateway");
                t.setDaemon(true);
                return t;
              });
      long millis = Math.max(1, config.interval().toMillis());
      scheduler.scheduleWithFixedDelay(this::push, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Replaces everything stored under this job and grouping key with the registry's metrics (those
   * of {@link PushgatewayConfig#families()}).
   */
  public PushResult push() {
    return send("push", gateway -> gateway.push(pushed));
  }

  /** Adds the registry's metrics, replacing only families of the same name. */
  public PushResult pushAdd() {
    return send("push_add", gateway -> gateway.pushAdd(pushed));
  }

  /** Deletes everything stored under this job and grouping key. */
  public PushResult delete() {
    return send("delete", PushGateway::delete);
  }

  private PushResult send(String operation, PushOperation op) {
    PushGateway target;
    synchronized (this) {
      if (gateway == null) {
        start();
      }
      target = gateway;
    }
    try {
      op.run(target);
      metrics.succeeded(operation);
      return PushResult.ok();
    } catch (IOException | RuntimeException e) {
      metrics.failed(operation);
      String message =
          "Pushgateway "
              + operation
              + " to "
              + config.address()
              + " (job '"
              + config.job().orElse("")
              + "') failed: "
              + e.getMessage();
      log.warn(message);
      return PushResult.failed(message);
    }
  }

  @Override
  public void close() {
    ScheduledExecutorService toStop;
    boolean started;
    synchronized (this) {
      toStop = scheduler;
      scheduler = null;
      started = gateway != null;
    }
    if (toStop != null) {
      toStop.shutdownNow();
      try {
        toStop.awaitTermination(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (started && config.pushOnClose()) {
      push();
    }
    synchronized (this) {
      gateway = null;
    }
  }

  @FunctionalInterface
  private interface PushOperation {
    void run(PushGateway gateway) throws IOException;
  }
}
