package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;

/**
 * What Ollama reports it spent on a request: loading the model ({@code load_duration}, the Python
 * project's {@code tinyllm_model_load_duration_seconds}), evaluating the prompt and generating.
 * Recorded through {@link OllamaMetrics.Call#succeeded}.
 *
 * <pre>
 * tinyllm_model_load_duration_seconds_count{model="qwen2.5:0.5b"} 1
 * tinyllm_ollama_prompt_eval_duration_seconds_sum{model="qwen2.5:0.5b"} 0.035
 * tinyllm_ollama_eval_duration_seconds_sum{model="qwen2.5:0.5b"} 0.38
 * </pre>
 *
 * <p>A {@code load_duration} below {@code ollama.metrics.model-load-threshold} is Ollama finding
 * the model already loaded, not a load, and is not observed; nor are the reports of requests that
 * waited for a load another request started (see {@link ModelPoints#reported}).
 */
@Singleton
public final class ServerDurationMetrics implements MetricSet {
  /** Seed boundaries of model load time, extended for large models. */
  static final double[] MODEL_LOAD_BUCKETS = {.1, .5, 1, 2, 5, 10, 30, 60, 120, 300};

  private final long modelLoadThresholdNanos;
  private final boolean enabled;

  private final Histogram modelLoad =
      Histogram.builder()
          .name("tinyllm_model_load_duration_seconds")
          .help("Time Ollama spent loading the model for a request (load_duration), when it loaded")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(MODEL_LOAD_BUCKETS)
          .build();
  private final Histogram promptEvalDuration =
      Histogram.builder()
          .name("tinyllm_ollama_prompt_eval_duration_seconds")
          .help("Time Ollama spent evaluating the prompt (prompt_eval_duration)")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(RequestMetrics.REQUEST_LATENCY_BUCKETS)
          .build();
  private final Histogram evalDuration =
      Histogram.builder()
          .name("tinyllm_ollama_eval_duration_seconds")
          .help("Time Ollama spent generating output tokens (eval_duration)")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(RequestMetrics.REQUEST_LATENCY_BUCKETS)
          .build();

  @Inject
  public ServerDurationMetrics(OllamaConfig config) {
    this(config.modelLoadThreshold(), config.metricsEnabled());
  }

  ServerDurationMetrics(Duration modelLoadThreshold, boolean enabled) {
    this.modelLoadThresholdNanos =
        requireNonNull(modelLoadThreshold, "modelLoadThreshold is null").toNanos();
    this.enabled = enabled;
  }

  @Override
  public List<Collector> collectors() {
    return enabled ? List.of(modelLoad, promptEvalDuration, evalDuration) : List.of();
  }

  /** The points of one model label. */
  ModelPoints model(String model) {
    return new ModelPoints(model);
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  final class ModelPoints {
    private final LazyDataPoints<DistributionDataPoint> load;
    private final LazyDataPoints<DistributionDataPoint> promptEval;
    private final LazyDataPoints<DistributionDataPoint> eval;

    private ModelPoints(String model) {
      // at 0 from admission on: a model is loaded once, and a series born with that load never
      // shows an increase
      load = LazyDataPoints.of(modelLoad, model).resolved();
      promptEval = LazyDataPoints.of(promptEvalDuration, model);
      eval = LazyDataPoints.of(evalDuration, model);
    }

    // the span of the last load observed, on the client's clock; guarded by this
    private boolean loadSeen;
    private long lastLoadStart;
    private long lastLoadEnd;

    /**
     * Ollama reported these durations (zero: not reported) for a request whose answer arrived at
     * {@code nowNanos} (the metrics' ticker).
     */
    void reported(
        Duration loadDuration,
        Duration promptEvalDuration,
        Duration evalDuration,
        Duration totalDuration,
        long nowNanos) {
      if (loadDuration.toNanos() >= modelLoadThresholdNanos
          && !loadDuration.isZero()
          && isNewLoad(loadDuration, totalDuration, nowNanos)) {
        load.get().observe(seconds(loadDuration));
      }
      if (!promptEvalDuration.isZero()) {
        promptEval.get().observe(seconds(promptEvalDuration));
      }
      if (!evalDuration.isZero()) {
        eval.get().observe(seconds(evalDuration));
      }
    }

    /**
     * Whether a reported load is not one already observed. Ollama's {@code load_duration} runs from
     * a request's arrival until the scheduler hands it the runner (v0.13.5 server/routes.go, {@code
     * checkpointLoaded}; server/sched.go hands a loading runner to the queued requests once it
     * runs), so every request that queued behind a load reports the part of it it waited for. Loads
     * of one model are serial, so a report whose span, {@code total_duration} before its answer
     * arrived until {@code load_duration} later, overlaps the span of the load last observed
     * (widened by the reports that joined it) waited for that same load. A request that waited for
     * one load and then needed another (a new {@code num_ctx}) counts with the first.
     */
    private synchronized boolean isNewLoad(Duration load, Duration total, long nowNanos) {
      long start = nowNanos - Math.max(total.toNanos(), load.toNanos());
      long end = start + load.toNanos();
      if (loadSeen && start < lastLoadEnd && end > lastLoadStart) {
        lastLoadStart = Math.min(lastLoadStart, start);
        lastLoadEnd = Math.max(lastLoadEnd, end);
        return false;
      }
      loadSeen = true;
      lastLoadStart = start;
      lastLoadEnd = end;
      return true;
    }
  }
}
