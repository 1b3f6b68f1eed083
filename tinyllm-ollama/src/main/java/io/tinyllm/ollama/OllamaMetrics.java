package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.StateSet;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

/**
 * The Ollama client's metrics: the ten families of the Python project it owns, with their names,
 * labels and buckets, plus streaming, server-reported, resilience and inventory families. Call
 * sites say what happened; labels are this class's business.
 *
 * <pre>{@code
 * OllamaMetrics.Call call = metrics.requestStarted("qwen2.5:0.5b", RequestType.GENERATE);
 * try {
 *   call.succeeded(client.generate(request));
 * } catch (LlmException e) {
 *   call.failed(e);
 * }
 * }</pre>
 *
 * <p>After one successful non-streaming generate of 12 prompt and 34 output tokens:
 *
 * <pre>
 * tinyllm_requests_total{graph="default",model="qwen2.5:0.5b",request_type="generate"} 1.0
 * tinyllm_tokens_input_total{graph="default",model="qwen2.5:0.5b"} 12.0
 * tinyllm_tokens_output_total{graph="default",model="qwen2.5:0.5b"} 34.0
 * tinyllm_request_outcomes_total{model="qwen2.5:0.5b",outcome="success"} 1.0
 * </pre>
 *
 * <p>Model and graph label values pass through the shared {@link LabelGuard}.
 */
@Singleton
public final class OllamaMetrics implements MetricSet {
  /** Seed boundaries of request latency, extended past 60 s for slow generations. */
  static final double[] REQUEST_LATENCY_BUCKETS = {
    .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300
  };

  /** Seed boundaries of model load time, extended for large models. */
  static final double[] MODEL_LOAD_BUCKETS = {.1, .5, 1, 2, 5, 10, 30, 60, 120, 300};

  /** Seed boundaries of the rate-limit wait, extended up to the default maximum wait. */
  static final double[] RATE_LIMIT_WAIT_BUCKETS = {.001, .005, .01, .05, .1, .5, 1, 5, 10, 30};

  /** OpenTelemetry's advice for gen_ai.server.time_to_first_token, extended for cold loads. */
  static final double[] TIME_TO_FIRST_TOKEN_BUCKETS = {
    .001, .005, .01, .02, .04, .06, .08, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10, 30, 60, 120
  };

  /** OpenTelemetry's advice for gen_ai.server.time_per_output_token, extended below 10 ms. */
  static final double[] INTER_TOKEN_BUCKETS = {
    .001, .0025, .005, .01, .025, .05, .075, .1, .15, .2, .3, .4, .5, .75, 1, 2.5
  };

  static final double[] TOKENS_PER_SECOND_BUCKETS = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000};

  /** Circuit-breaker states as exposed: the 0/1/2 gauge value is the index. */
  static final List<String> BREAKER_STATES = List.of("closed", "half_open", "open");

  private final LabelGuard guard;
  private final long modelLoadThresholdNanos;

  private final Counter requests =
      Counter.builder()
          .name("tinyllm_requests_total")
          .help("LLM requests started, by model, graph and request type")
          .labelNames("model", "graph", "request_type")
          .build();
  private final Histogram requestLatency =
      Histogram.builder()
          .name("tinyllm_request_latency_seconds")
          .help("Time from a call's start to its final answer or error, retries included")
          .labelNames("model", "graph")
          .classicOnly()
          .classicUpperBounds(REQUEST_LATENCY_BUCKETS)
          .build();
  private final Gauge activeRequests =
      Gauge.builder()
          .name("tinyllm_active_requests")
          .help("LLM requests in progress")
          .labelNames("model", "graph")
          .build();
  private final Counter inputTokens =
      Counter.builder()
          .name("tinyllm_tokens_input_total")
          .help("Prompt tokens the model evaluated (Ollama's prompt_eval_count)")
          .labelNames("model", "graph")
          .build();
  private final Counter outputTokens =
      Counter.builder()
          .name("tinyllm_tokens_output_total")
          .help("Tokens the model generated (Ollama's eval_count)")
          .labelNames("model", "graph")
          .build();
  private final Histogram modelLoad =
      Histogram.builder()
          .name("tinyllm_model_load_duration_seconds")
          .help("Time Ollama spent loading the model for a request (load_duration), when it loaded")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(MODEL_LOAD_BUCKETS)
          .build();
  private final Counter errors =
      Counter.builder()
          .name("tinyllm_errors_total")
          .help("LLM requests that failed, by error type")
          .labelNames("error_type", "model", "graph")
          .build();
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
  private final StateSet breakerStates =
      StateSet.builder()
          .name("tinyllm_circuit_breaker_states")
          .help("Circuit breaker state per model, one state true")
          .labelNames("model")
          .states(BREAKER_STATES.toArray(String[]::new))
          .build();
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
  private final Histogram promptEvalDuration =
      Histogram.builder()
          .name("tinyllm_ollama_prompt_eval_duration_seconds")
          .help("Time Ollama spent evaluating the prompt (prompt_eval_duration)")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(REQUEST_LATENCY_BUCKETS)
          .build();
  private final Histogram evalDuration =
      Histogram.builder()
          .name("tinyllm_ollama_eval_duration_seconds")
          .help("Time Ollama spent generating output tokens (eval_duration)")
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(REQUEST_LATENCY_BUCKETS)
          .build();
  private final Counter outcomes =
      Counter.builder()
          .name("tinyllm_request_outcomes_total")
          .help("Finished LLM requests by outcome: success, error, cancelled")
          .labelNames("model", "outcome")
          .build();

  private final AtomicReference<List<RunningModel>> inventory = new AtomicReference<>();
  private final GaugeWithCallback modelsLoaded =
      GaugeWithCallback.builder()
          .name("tinyllm_ollama_models_loaded")
          .help("Models Ollama had loaded at the last inventory refresh (/api/ps)")
          .callback(
              callback -> {
                List<RunningModel> models = inventory.get();
                if (models != null) {
                  callback.call(models.size());
                }
              })
          .build();
  private final GaugeWithCallback modelVram =
      GaugeWithCallback.builder()
          .name("tinyllm_ollama_model_vram_bytes")
          .help("Bytes of GPU memory a loaded model took at the last inventory refresh")
          .labelNames("model")
          .callback(
              callback ->
                  inventoryByModel(RunningModel::sizeVram).forEach((m, v) -> callback.call(v, m)))
          .build();
  private final GaugeWithCallback modelSize =
      GaugeWithCallback.builder()
          .name("tinyllm_ollama_model_size_bytes")
          .help("Bytes of memory a loaded model took in total at the last inventory refresh")
          .labelNames("model")
          .callback(
              callback ->
                  inventoryByModel(RunningModel::size).forEach((m, v) -> callback.call(v, m)))
          .build();

  private final Map<String, PullState> pulls = new ConcurrentHashMap<>();
  private final GaugeWithCallback pullCompleted =
      GaugeWithCallback.builder()
          .name("tinyllm_ollama_pull_completed_bytes")
          .help("Bytes downloaded so far by a model pull in progress")
          .labelNames("model")
          .callback(callback -> pulls.forEach((m, s) -> callback.call(s.completed(), m)))
          .build();
  private final GaugeWithCallback pullTotal =
      GaugeWithCallback.builder()
          .name("tinyllm_ollama_pull_total_bytes")
          .help("Bytes a model pull in progress has to download, as far as announced")
          .labelNames("model")
          .callback(callback -> pulls.forEach((m, s) -> callback.call(s.total(), m)))
          .build();

  @Inject
  public OllamaMetrics(LabelGuard guard, OllamaConfig config) {
    this(guard, config.modelLoadThreshold());
  }

  public OllamaMetrics(LabelGuard guard, Duration modelLoadThreshold) {
    this.guard = requireNonNull(guard, "guard is null");
    this.modelLoadThresholdNanos =
        requireNonNull(modelLoadThreshold, "modelLoadThreshold is null").toNanos();
  }

  /**
   * A call started now, in the graph of the calling thread's {@link ExecutionContext}. Exactly one
   * of the returned call's {@code succeeded}, {@code failed} or {@code cancelled} must follow.
   */
  public Call requestStarted(String model, RequestType type) {
    requireNonNull(type, "type is null");
    String modelLabel = model(model);
    String graphLabel = guard.guard("graph", ExecutionContext.current().graph());
    requests.labelValues(modelLabel, graphLabel, type.label()).inc();
    activeRequests.labelValues(modelLabel, graphLabel).inc();
    return new Call(modelLabel, graphLabel, System.nanoTime());
  }

  /** An attempt waited {@code wait} for a rate-limiter token (zero when one was at hand). */
  public void rateLimitWaited(String model, Duration wait) {
    rateLimitWait.labelValues(model(model)).observe(seconds(wait.toNanos()));
  }

  /** A failed attempt of {@code model} is about to be retried. */
  public void retried(String model, String errorType) {
    retries.labelValues(model(model), errorType).inc();
  }

  /** A circuit breaker was created for {@code model}; it starts closed. */
  public void circuitBreakerCreated(String model) {
    setBreakerState(model(model), "closed");
  }

  /** The circuit breaker of {@code model} moved from one state to another. */
  public void circuitBreakerTransitioned(String model, String fromState, String toState) {
    String label = model(model);
    breakerTransitions.labelValues(label, fromState, toState).inc();
    setBreakerState(label, toState);
  }

  /** The circuit breaker of {@code model} counted a failed call. */
  public void circuitBreakerFailureRecorded(String model) {
    breakerFailures.labelValues(model(model)).inc();
  }

  /** {@code /api/ps} listed {@code models}: the inventory gauges now show them. */
  public void inventoryRefreshed(List<RunningModel> models) {
    inventory.set(List.copyOf(models));
  }

  /** A pull of {@code progress.model()} reported progress. */
  public void pullProgressed(PullProgress progress) {
    if (progress.digest() == null || progress.total() <= 0) {
      return;
    }
    pulls
        .computeIfAbsent(model(progress.model()), m -> new PullState())
        .layer(progress.digest(), progress.total(), progress.completed());
  }

  /** The pull of {@code model} ended, successfully or not: its progress gauges go away. */
  public void pullEnded(String model) {
    pulls.remove(model(model));
  }

  private void setBreakerState(String modelLabel, String state) {
    int index = BREAKER_STATES.indexOf(state);
    breakerState.labelValues(modelLabel).set(index);
    for (String each : BREAKER_STATES) {
      if (each.equals(state)) {
        breakerStates.labelValues(modelLabel).setTrue(each);
      } else {
        breakerStates.labelValues(modelLabel).setFalse(each);
      }
    }
  }

  private Map<String, Double> inventoryByModel(ToLongFunction<RunningModel> f) {
    List<RunningModel> models = inventory.get();
    Map<String, Double> byModel = new LinkedHashMap<>();
    if (models != null) {
      for (RunningModel model : models) {
        byModel.merge(model(model.name()), (double) f.applyAsLong(model), Double::sum);
      }
    }
    return byModel;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  @Override
  public List<Collector> collectors() {
    return List.of(
        requests,
        requestLatency,
        activeRequests,
        inputTokens,
        outputTokens,
        modelLoad,
        errors,
        breakerState,
        breakerFailures,
        rateLimitWait,
        retries,
        breakerTransitions,
        breakerStates,
        timeToFirstToken,
        interTokenLatency,
        tokensPerSecond,
        promptEvalDuration,
        evalDuration,
        outcomes,
        modelsLoaded,
        modelVram,
        modelSize,
        pullCompleted,
        pullTotal);
  }

  /** One call in progress; ends exactly once. Thread safe. */
  public final class Call {
    private final String model;
    private final String graph;
    private final long startNanos;
    private final AtomicBoolean ended = new AtomicBoolean();
    private long lastTokenNanos = -1;

    private Call(String model, String graph, long startNanos) {
      this.model = model;
      this.graph = graph;
      this.startNanos = startNanos;
    }

    /** A chunk carrying output (answer or thinking) arrived. */
    public synchronized void outputReceived() {
      long now = System.nanoTime();
      if (lastTokenNanos < 0) {
        timeToFirstToken.labelValues(model, graph).observe(seconds(now - startNanos));
      } else {
        interTokenLatency.labelValues(model).observe(seconds(now - lastTokenNanos));
      }
      lastTokenNanos = now;
    }

    /** The call answered: records its latency and what the server reported. */
    public void succeeded(LlmResponse response) {
      if (!end()) {
        return;
      }
      observeLatency();
      inputTokens.labelValues(model, graph).inc(response.promptTokens());
      outputTokens.labelValues(model, graph).inc(response.outputTokens());
      observeLoad(response.loadDuration());
      if (!response.promptEvalDuration().isZero()) {
        promptEvalDuration.labelValues(model).observe(secondsOf(response.promptEvalDuration()));
      }
      if (!response.evalDuration().isZero()) {
        evalDuration.labelValues(model).observe(secondsOf(response.evalDuration()));
        if (response.outputTokens() > 0) {
          tokensPerSecond.labelValues(model).observe(response.tokensPerSecond());
        }
      }
      outcomes.labelValues(model, "success").inc();
    }

    /** The embedding call answered. */
    public void succeeded(EmbedResponse response) {
      if (!end()) {
        return;
      }
      observeLatency();
      inputTokens.labelValues(model, graph).inc(response.promptTokens());
      observeLoad(response.loadDuration());
      outcomes.labelValues(model, "success").inc();
    }

    /** The call failed with {@code error} (after any retries). */
    public void failed(LlmException error) {
      failed(error.errorType());
    }

    /** The call failed with an error of type {@code errorType}. */
    public void failed(String errorType) {
      if (!end()) {
        return;
      }
      observeLatency();
      errors.labelValues(errorType, model, graph).inc();
      outcomes.labelValues(model, "error").inc();
    }

    /** The caller cancelled the call: neither an error nor a latency sample. */
    public void cancelled() {
      if (end()) {
        outcomes.labelValues(model, "cancelled").inc();
      }
    }

    private boolean end() {
      if (!ended.compareAndSet(false, true)) {
        return false;
      }
      activeRequests.labelValues(model, graph).dec();
      return true;
    }

    private void observeLatency() {
      requestLatency.labelValues(model, graph).observe(seconds(System.nanoTime() - startNanos));
    }

    private void observeLoad(Duration load) {
      if (load.toNanos() >= modelLoadThresholdNanos && !load.isZero()) {
        modelLoad.labelValues(model).observe(secondsOf(load));
      }
    }

    private double secondsOf(Duration duration) {
      return duration.toNanos() / 1e9;
    }
  }

  /** Bytes of each layer of one pull. */
  private static final class PullState {
    private final Map<String, long[]> layers = new ConcurrentHashMap<>();

    void layer(String digest, long total, long completed) {
      layers.put(digest, new long[] {total, completed});
    }

    double total() {
      return layers.values().stream().mapToLong(l -> l[0]).sum();
    }

    double completed() {
      return layers.values().stream().mapToLong(l -> l[1]).sum();
    }
  }

  /**
   * The {@code model} label of {@code name}: tagged as Ollama names it ({@code nomic-embed-text} is
   * {@code nomic-embed-text:latest}, as {@code /api/ps} reports it) so one model is one label value
   * across families, then passed through the label guard.
   */
  private String model(String name) {
    return guard.guard("model", withTag(name));
  }

  static String withTag(String name) {
    if (name == null || name.isBlank()) {
      return name;
    }
    int slash = name.lastIndexOf('/');
    return name.indexOf(':', slash + 1) < 0 ? name + ":latest" : name;
  }
}
