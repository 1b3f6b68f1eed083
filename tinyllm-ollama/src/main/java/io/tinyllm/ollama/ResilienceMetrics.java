package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.StateSet;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;

/**
 * What the client's resilience did per model: rate-limit waits, retries, and the circuit breaker's
 * state (the Python project's 0/1/2 gauge, and the same state as a StateSet), transitions and
 * recorded failures. {@code Resilience} reports here as things happen.
 *
 * <p>After a breaker of {@code qwen2.5:0.5b} opened:
 *
 * <pre>
 * tinyllm_circuit_breaker_state{model="qwen2.5:0.5b"} 2.0
 * tinyllm_circuit_breaker_in_state{model="qwen2.5:0.5b",tinyllm_circuit_breaker_in_state="closed"} 0
 * tinyllm_circuit_breaker_in_state{model="qwen2.5:0.5b",tinyllm_circuit_breaker_in_state="half_open"} 0
 * tinyllm_circuit_breaker_in_state{model="qwen2.5:0.5b",tinyllm_circuit_breaker_in_state="open"} 1
 * tinyllm_circuit_breaker_transitions_total{from_state="closed",model="qwen2.5:0.5b",to_state="open"} 1.0
 * </pre>
 */
@Singleton
public final class ResilienceMetrics implements MetricSet {
  /**
   * Seed boundaries of the rate-limit wait, extended up to the default maximum wait, and with an
   * exact-zero bucket: most attempts find a token at hand, and without it a quantile interpolates
   * those zeros to 0.99 ms.
   */
  static final double[] RATE_LIMIT_WAIT_BUCKETS = {0, .001, .005, .01, .05, .1, .5, 1, 5, 10, 30};

  /** Circuit-breaker states as exposed: the 0/1/2 gauge value is the index. */
  static final List<String> BREAKER_STATES = List.of("closed", "half_open", "open");

  /** The transitions a breaker makes on its own (from, to), exposed at 0 when it is created. */
  static final List<String[]> BREAKER_TRANSITIONS =
      List.of(
          new String[] {"closed", "open"},
          new String[] {"open", "half_open"},
          new String[] {"half_open", "open"},
          new String[] {"half_open", "closed"});

  private final LabelGuard guard;
  private final boolean enabled;
  private final LabelCache<ModelPoints> models;

  private final Gauge breakerState =
      Gauge.builder()
          .name("tinyllm_circuit_breaker_state")
          .help("Circuit breaker state per model: 0 closed, 1 half-open, 2 open")
          .labelNames("model")
          .build();
  private final Counter breakerFailures =
      Counter.builder()
          .name("tinyllm_circuit_breaker_failures_total")
          .help("Failed calls the circuit breaker of a model recorded")
          .labelNames("model")
          .build();
  private final Histogram rateLimitWait =
      Histogram.builder()
          .name("tinyllm_rate_limit_wait_seconds")
          .help("Time an attempt waited for a rate-limiter token")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(RATE_LIMIT_WAIT_BUCKETS)
          .build();
  private final Counter retries =
      Counter.builder()
          .name("tinyllm_retries_total")
          .help("Attempts retried after a retryable failure, by the failure's type")
          .labelNames("model", "error_type")
          .build();
  private final Counter breakerTransitions =
      Counter.builder()
          .name("tinyllm_circuit_breaker_transitions_total")
          .help("Circuit breaker state changes")
          .labelNames("model", "from_state", "to_state")
          .build();
  // named apart from the seed's gauge above, so that neither is queried for the other
  private final StateSet breakerInState =
      StateSet.builder()
          .name("tinyllm_circuit_breaker_in_state")
          .help("Circuit breaker state per model as a StateSet: the current state is 1")
          .labelNames("model")
          .states(BREAKER_STATES.toArray(String[]::new))
          .build();

  @Inject
  public ResilienceMetrics(LabelGuard guard, OllamaConfig config) {
    this(guard, config.metricsEnabled());
  }

  ResilienceMetrics(LabelGuard guard, boolean enabled) {
    this.guard = requireNonNull(guard, "guard is null");
    this.enabled = enabled;
    this.models = new LabelCache<>(this::model, ModelPoints::new);
  }

  @Override
  public List<Collector> collectors() {
    if (!enabled) {
      return List.of();
    }
    return List.of(
        breakerState, breakerFailures, rateLimitWait, retries, breakerTransitions, breakerInState);
  }

  /** An attempt waited {@code wait} for a rate-limiter token (zero when one was at hand). */
  void rateLimitWaited(String model, Duration wait) {
    if (enabled) {
      models.get(model).rateLimitWait.get().observe(wait.toNanos() / 1e9);
    }
  }

  /** A failed attempt of {@code model} is about to be retried. */
  void retried(String model, ErrorType errorType) {
    if (enabled) {
      retries.labelValues(model(model), errorType.label()).inc();
    }
  }

  /**
   * A circuit breaker was created for {@code model}; it starts closed. Its failures and the
   * transitions it can make are exposed at 0 from now on, so the first of each is an increase.
   */
  void circuitBreakerCreated(String model) {
    if (enabled) {
      String label = model(model);
      setBreakerState(label, "closed");
      models.get(model).breakerFailures.get();
      for (String[] transition : BREAKER_TRANSITIONS) {
        breakerTransitions.labelValues(label, transition[0], transition[1]);
      }
    }
  }

  /** The circuit breaker of {@code model} moved from one state to another. */
  void circuitBreakerTransitioned(String model, String fromState, String toState) {
    if (enabled) {
      String label = model(model);
      breakerTransitions.labelValues(label, fromState, toState).inc();
      setBreakerState(label, toState);
    }
  }

  /** The circuit breaker of {@code model} counted a failed call. */
  void circuitBreakerFailureRecorded(String model) {
    if (enabled) {
      models.get(model).breakerFailures.get().inc();
    }
  }

  private void setBreakerState(String modelLabel, String state) {
    breakerState.labelValues(modelLabel).set(BREAKER_STATES.indexOf(state));
    for (String each : BREAKER_STATES) {
      if (each.equals(state)) {
        breakerInState.labelValues(modelLabel).setTrue(each);
      } else {
        breakerInState.labelValues(modelLabel).setFalse(each);
      }
    }
  }

  private String model(String name) {
    return OllamaMetrics.modelLabel(guard, name);
  }

  /** The per-model points of the frequent events (a wait per attempt). */
  private final class ModelPoints {
    private final LazyDataPoints<DistributionDataPoint> rateLimitWait;
    private final LazyDataPoints<CounterDataPoint> breakerFailures;

    ModelPoints(String model) {
      rateLimitWait = LazyDataPoints.of(ResilienceMetrics.this.rateLimitWait, model);
      breakerFailures = LazyDataPoints.of(ResilienceMetrics.this.breakerFailures, model);
    }
  }
}
