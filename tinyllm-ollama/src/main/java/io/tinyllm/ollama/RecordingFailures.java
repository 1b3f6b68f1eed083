package io.tinyllm.ollama;

import io.prometheus.metrics.core.metrics.Counter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a failure of the client's own metric recording goes, so that it never fails or hangs the
 * call being recorded: counted in {@code tinyllm_ollama_metrics_recording_errors_total} and logged
 * at most once a minute.
 *
 * <pre>{@code
 * try {
 *   tokens.inc(count);
 * } catch (RuntimeException e) {
 *   failures.failed(e);
 * }
 * }</pre>
 */
final class RecordingFailures {
  private static final long LOG_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

  private final Counter errors =
      Counter.builder()
          .name("tinyllm_ollama_metrics_recording_errors_total")
          .help("Times recording a client metric failed; the call went on unaffected")
          .build();
  private final LongSupplier nanoTime;
  private final AtomicLong lastLogged;

  RecordingFailures() {
    this(System::nanoTime);
  }

  RecordingFailures(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.lastLogged = new AtomicLong(nanoTime.getAsLong() - LOG_INTERVAL_NANOS);
  }

  Counter counter() {
    return errors;
  }

  /** Recording a metric threw {@code failure}; returns whether this one was logged. */
  boolean failed(Throwable failure) {
    try {
      errors.inc();
      long now = nanoTime.getAsLong();
      long last = lastLogged.get();
      if (now - last >= LOG_INTERVAL_NANOS && lastLogged.compareAndSet(last, now)) {
        // looked up here, not in a static field: creating a client must not start the logging
        // backend (Logback's configuration is a good part of a short command's start-up)
        Logger log = LoggerFactory.getLogger(RecordingFailures.class);
        log.warn(
            "Recording an Ollama client metric failed; the call went on (logged at most once a"
                + " minute, counted in tinyllm_ollama_metrics_recording_errors_total)",
            failure);
        return true;
      }
    } catch (RuntimeException e) {
      // nothing left to report to; the call must still go on
    }
    return false;
  }

  /** Failures so far. */
  long count() {
    return (long) errors.get();
  }
}
