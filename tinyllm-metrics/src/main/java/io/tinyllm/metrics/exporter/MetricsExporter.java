package io.tinyllm.metrics.exporter;

/**
 * A way out for the shared registry's metrics: served over HTTP, or pushed to a Pushgateway.
 * Started and stopped by {@link io.tinyllm.metrics.MetricsCollector}, never by a Guice module.
 */
public interface MetricsExporter extends AutoCloseable {
  /** The name it is chosen by in {@code metrics.exporters}. */
  String name();

  /**
   * Starts exporting; throws an {@link ExporterException} saying what went wrong and what to do.
   */
  void start();

  /** Stops exporting and releases what it holds. Never throws. */
  @Override
  void close();
}
