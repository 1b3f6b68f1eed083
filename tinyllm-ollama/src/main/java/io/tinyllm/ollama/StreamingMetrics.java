package io.tinyllm.ollama;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * How output arrives: time to the first chunk and between chunks of a stream, and the generation
 * speed Ollama measured. Recorded through {@link OllamaMetrics.Call#outputReceived()} and {@link
 * OllamaMetrics.Call#succeeded}.
 *
 * <pre>
 * tinyllm_time_to_first_token_seconds_bucket{graph="default",model="qwen2.5:0.5b",le="0.1"} 1
 * tinyllm_inter_token_latency_seconds_count{model="qwen2.5:0.5b"} 33
 * tinyllm_output_tokens_per_second_sum{model="qwen2.5:0.5b"} 89.5
 * </pre>
 */
@Singleton
public final class StreamingMetrics implements MetricSet {
  /** OpenTelemetry's advice for gen_ai.server.time_to_first_token, extended for cold loads. */
  static final double[] TIME_TO_FIRST_TOKEN_BUCKETS = {
    .001, .005, .01, .02, .04, .06, .08, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10, 30, 60, 120
  };

  /** OpenTelemetry's advice for gen_ai.server.time_per_output_token, extended below 10 ms. */
  static final double[] INTER_TOKEN_BUCKETS = {
    .001, .0025, .005, .01, .025, .05, .075, .1, .15, .2, .3, .4, .5, .75, 1, 2.5
  };

  /**
   * Fine where local models run (tens to a few hundred tokens/s), so a median tells 120 from 236
   * tok/s rather than reading both as one 100-250 bucket's middle.
   */
  static final double[] TOKENS_PER_SECOND_BUCKETS = {
    1, 2.5, 5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 125, 150, 175, 200, 250, 300, 400, 500, 750,
    1000
  };

  private final boolean enabled;

  private final Histogram timeToFirstToken =
      Histogram.builder()
          .name("tinyllm_time_to_first_token_seconds")
          .help("Time from a streaming call's start to its first output chunk")
          .labelNames("model", "graph")
          .classicOnly()
          .classicUpperBounds(TIME_TO_FIRST_TOKEN_BUCKETS)
          .build();
  private final Histogram interTokenLatency =
      Histogram.builder()
          .name("tinyllm_inter_token_latency_seconds")
          .help("Time between two consecutive output chunks of a stream")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(INTER_TOKEN_BUCKETS)
          .build();
  private final Histogram tokensPerSecond =
      Histogram.builder()
          .name("tinyllm_output_tokens_per_second")
          .help("Generation speed of a request as Ollama measured it (eval_count / eval_duration)")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(TOKENS_PER_SECOND_BUCKETS)
          .build();

  @Inject
  public StreamingMetrics(OllamaConfig config) {
    this(config.metricsEnabled());
  }

  StreamingMetrics(boolean enabled) {
    this.enabled = enabled;
  }

  @Override
  public List<Collector> collectors() {
    return enabled ? List.of(timeToFirstToken, interTokenLatency, tokensPerSecond) : List.of();
  }

  /** The points of one model label. */
  ModelPoints model(String model) {
    return new ModelPoints(model);
  }

  /** The time-to-first-token point of one model and graph label pair. */
  FirstOutput firstOutput(String model, String graph) {
    return new FirstOutput(model, graph);
  }

  final class ModelPoints {
    private final LazyDataPoints<DistributionDataPoint> gap;
    private final LazyDataPoints<DistributionDataPoint> speed;

    private ModelPoints(String model) {
      gap = LazyDataPoints.of(interTokenLatency, model);
      speed = LazyDataPoints.of(tokensPerSecond, model);
    }

    /** Another output chunk arrived {@code seconds} after the previous one. */
    void outputGap(double seconds) {
      gap.get().observe(seconds);
    }

    /** Ollama generated at {@code tokensPerSecond}. */
    void generated(double tokensPerSecond) {
      speed.get().observe(tokensPerSecond);
    }
  }

  final class FirstOutput {
    private final LazyDataPoints<DistributionDataPoint> point;

    private FirstOutput(String model, String graph) {
      point = LazyDataPoints.of(timeToFirstToken, model, graph);
    }

    /** The first output chunk arrived {@code seconds} after the call started. */
    void arrivedAfter(double seconds) {
      point.get().observe(seconds);
    }
  }
}
