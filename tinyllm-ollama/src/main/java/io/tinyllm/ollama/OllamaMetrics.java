package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.StateSet;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.ErrorType;
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
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
 * <p>Model, graph and node label values pass through the shared {@link LabelGuard}. The data points
 * of each label combination are resolved once and kept (at most as many combinations as the guard
 * admits), so recording a request costs no {@code labelValues} lookups and allocates only its
 * {@link Call}.
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

  private static final String[] OUTCOMES = {"success", "error", "cancelled"};
  private static final int SUCCESS = 0;
  private static final int ERROR = 1;
  private static final int CANCELLED = 2;

  private final LabelGuard guard;
  private final long modelLoadThresholdNanos;
  private final boolean enabled;
  private final Call noopCall = new Call(null, null, null, 0);
  private final Map<String, ModelSeries> series = new ConcurrentHashMap<>();
  private final Map<String, ModelSeries> seriesByName = new ConcurrentHashMap<>();

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
  private final Counter nodeRequests =
      Counter.builder()
          .name("tinyllm_node_requests_total")
          .help("Finished LLM requests per graph node and outcome (outside a graph: node default)")
          .labelNames("model", "graph", "node", "outcome")
          .build();
  private final Counter nodeTokens =
      Counter.builder()
          .name("tinyllm_node_tokens_total")
          .help("Prompt (input) and generated (output) tokens per graph node")
          .labelNames("model", "graph", "node", "type")
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
    this(guard, config.modelLoadThreshold(), config.metricsEnabled());
  }

  public OllamaMetrics(LabelGuard guard, Duration modelLoadThreshold) {
    this(guard, modelLoadThreshold, true);
  }

  private OllamaMetrics(LabelGuard guard, Duration modelLoadThreshold, boolean enabled) {
    this.guard = requireNonNull(guard, "guard is null");
    this.modelLoadThresholdNanos =
        requireNonNull(modelLoadThreshold, "modelLoadThreshold is null").toNanos();
    this.enabled = enabled;
    noopCall.ended = 1;
  }

  /**
   * Metrics that record nothing and contribute no family ({@code ollama.metrics.enabled=false}):
   * for users who instrument the client themselves, and for measuring what instrumentation costs.
   */
  public static OllamaMetrics disabled() {
    return new OllamaMetrics(new LabelGuard(1, 1), Duration.ZERO, false);
  }

  /** Whether this records anything. */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * A call started now, in the graph and node of the calling thread's {@link ExecutionContext}.
   * Exactly one of the returned call's {@code succeeded}, {@code failed} or {@code cancelled} must
   * follow.
   */
  public Call requestStarted(String model, RequestType type) {
    requireNonNull(type, "type is null");
    if (!enabled) {
      return noopCall;
    }
    ExecutionContext context = ExecutionContext.current();
    ModelSeries modelSeries = modelSeries(model);
    GraphSeries graphSeries = modelSeries.graph(context.graph());
    NodeSeries nodeSeries = graphSeries.node(context.node());
    graphSeries.requests(type).inc();
    graphSeries.active().inc();
    return new Call(modelSeries, graphSeries, nodeSeries, System.nanoTime());
  }

  /** An attempt waited {@code wait} for a rate-limiter token (zero when one was at hand). */
  public void rateLimitWaited(String model, Duration wait) {
    if (enabled) {
      modelSeries(model).rateLimitWait().observe(seconds(wait.toNanos()));
    }
  }

  /** A failed attempt of {@code model} is about to be retried. */
  public void retried(String model, ErrorType errorType) {
    if (enabled) {
      retries.labelValues(model(model), errorType.label()).inc();
    }
  }

  /** A circuit breaker was created for {@code model}; it starts closed. */
  public void circuitBreakerCreated(String model) {
    if (enabled) {
      setBreakerState(model(model), "closed");
    }
  }

  /** The circuit breaker of {@code model} moved from one state to another. */
  public void circuitBreakerTransitioned(String model, String fromState, String toState) {
    if (enabled) {
      String label = model(model);
      breakerTransitions.labelValues(label, fromState, toState).inc();
      setBreakerState(label, toState);
    }
  }

  /** The circuit breaker of {@code model} counted a failed call. */
  public void circuitBreakerFailureRecorded(String model) {
    if (enabled) {
      modelSeries(model).breakerFailures().inc();
    }
  }

  /** {@code /api/ps} listed {@code models}: the inventory gauges now show them. */
  public void inventoryRefreshed(List<RunningModel> models) {
    if (enabled) {
      inventory.set(List.copyOf(models));
    }
  }

  /** A pull of {@code progress.model()} reported progress. */
  public void pullProgressed(PullProgress progress) {
    if (!enabled || progress.digest() == null || progress.total() <= 0) {
      return;
    }
    pulls
        .computeIfAbsent(model(progress.model()), m -> new PullState())
        .layer(progress.digest(), progress.total(), progress.completed());
  }

  /** The pull of {@code model} ended, successfully or not: its progress gauges go away. */
  public void pullEnded(String model) {
    if (enabled) {
      pulls.remove(model(model));
    }
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

  private ModelSeries modelSeries(String name) {
    ModelSeries known = name == null ? null : seriesByName.get(name);
    if (known != null) {
      return known;
    }
    String label = model(name);
    ModelSeries found = series.get(label);
    if (found == null) {
      found = series.computeIfAbsent(label, ModelSeries::new);
    }
    remember(seriesByName, name, label, found);
    return found;
  }

  /**
   * Maps the raw {@code name} to its series when the guard admitted it as {@code label}, so the
   * next call skips the guard. Folded names are not remembered (each use must reach the guard,
   * which counts it), so these maps hold admitted names only: a bounded number.
   */
  private static <S> void remember(Map<String, S> byName, String name, String label, S found) {
    if (name != null && !LabelGuard.OTHER.equals(label) && !LabelGuard.UNKNOWN.equals(label)) {
      byName.putIfAbsent(name, found);
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  @Override
  public List<Collector> collectors() {
    if (!enabled) {
      return List.of();
    }
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
        nodeRequests,
        nodeTokens,
        modelsLoaded,
        modelVram,
        modelSize,
        pullCompleted,
        pullTotal);
  }

  /**
   * One call in progress; ends exactly once, whichever thread ends it. {@link #outputReceived} is
   * for the one thread that reads the stream.
   */
  public final class Call {
    private static final AtomicIntegerFieldUpdater<Call> ENDED =
        AtomicIntegerFieldUpdater.newUpdater(Call.class, "ended");

    private final ModelSeries model;
    private final GraphSeries graph;
    private final NodeSeries node;
    private final long startNanos;
    private volatile int ended;
    private long lastTokenNanos = -1;

    private Call(ModelSeries model, GraphSeries graph, NodeSeries node, long startNanos) {
      this.model = model;
      this.graph = graph;
      this.node = node;
      this.startNanos = startNanos;
    }

    /**
     * A chunk carrying output (answer or thinking) arrived. Called by one thread at a time: the
     * thread reading the stream.
     */
    public void outputReceived() {
      if (ended != 0) {
        return;
      }
      long now = System.nanoTime();
      if (lastTokenNanos < 0) {
        graph.timeToFirstToken().observe(seconds(now - startNanos));
      } else {
        model.interToken().observe(seconds(now - lastTokenNanos));
      }
      lastTokenNanos = now;
    }

    /** The call answered: records its latency and what the server reported. */
    public void succeeded(LlmResponse response) {
      if (!end()) {
        return;
      }
      observeLatency();
      long promptTokens = response.promptTokens();
      long outputTokens = response.outputTokens();
      graph.inputTokens().inc(promptTokens);
      graph.outputTokens().inc(outputTokens);
      node.inputTokens().inc(promptTokens);
      node.outputTokens().inc(outputTokens);
      observeLoad(response.loadDuration());
      if (!response.promptEvalDuration().isZero()) {
        model.promptEval().observe(seconds(response.promptEvalDuration()));
      }
      if (!response.evalDuration().isZero()) {
        model.eval().observe(seconds(response.evalDuration()));
        if (outputTokens > 0) {
          model.tokensPerSecond().observe(response.tokensPerSecond());
        }
      }
      outcome(SUCCESS);
    }

    /** The embedding call answered. */
    public void succeeded(EmbedResponse response) {
      if (!end()) {
        return;
      }
      observeLatency();
      graph.inputTokens().inc(response.promptTokens());
      node.inputTokens().inc(response.promptTokens());
      observeLoad(response.loadDuration());
      outcome(SUCCESS);
    }

    /** The call failed with {@code error} (after any retries). */
    public void failed(LlmException error) {
      failed(error.errorType());
    }

    /** The call failed with an error of type {@code errorType}. */
    public void failed(ErrorType errorType) {
      if (!end()) {
        return;
      }
      observeLatency();
      graph.errors(errorType).inc();
      outcome(ERROR);
    }

    /** The caller cancelled the call: neither an error nor a latency sample. */
    public void cancelled() {
      if (end()) {
        outcome(CANCELLED);
      }
    }

    private boolean end() {
      if (!ENDED.compareAndSet(this, 0, 1)) {
        return false;
      }
      graph.active().dec();
      return true;
    }

    private void outcome(int outcome) {
      model.outcome(outcome).inc();
      node.outcome(outcome).inc();
    }

    private void observeLatency() {
      graph.latency().observe(seconds(System.nanoTime() - startNanos));
    }

    private void observeLoad(Duration load) {
      if (load.toNanos() >= modelLoadThresholdNanos && !load.isZero()) {
        model.modelLoad().observe(seconds(load));
      }
    }
  }

  /*
   * Resolved data points. Each is looked up with labelValues on first use only (so a series
   * appears when something happened to it, as before); a race resolves the same data point twice,
   * which is harmless. The maps are keyed by guarded label values, so they hold at most as many
   * entries as the guard admits per label (plus "other" and "unknown").
   */

  /** The series of one model label. */
  private final class ModelSeries {
    private final String model;
    private final Map<String, GraphSeries> graphs = new ConcurrentHashMap<>();
    private final Map<String, GraphSeries> graphsByName = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<CounterDataPoint> outcomePoints =
        new AtomicReferenceArray<>(OUTCOMES.length);
    private volatile DistributionDataPoint interToken;
    private volatile DistributionDataPoint tokensPerSecondPoint;
    private volatile DistributionDataPoint promptEval;
    private volatile DistributionDataPoint eval;
    private volatile DistributionDataPoint modelLoadPoint;
    private volatile DistributionDataPoint rateLimitWaitPoint;
    private volatile CounterDataPoint breakerFailuresPoint;

    ModelSeries(String model) {
      this.model = model;
    }

    /** The series of the graph {@code name} (a raw id, guarded here). */
    GraphSeries graph(String name) {
      GraphSeries known = graphsByName.get(name);
      if (known != null) {
        return known;
      }
      String label = guard.guard("graph", name);
      GraphSeries found = graphs.get(label);
      if (found == null) {
        found = graphs.computeIfAbsent(label, g -> new GraphSeries(model, g));
      }
      remember(graphsByName, name, label, found);
      return found;
    }

    CounterDataPoint outcome(int index) {
      CounterDataPoint point = outcomePoints.get(index);
      if (point == null) {
        point = outcomes.labelValues(model, OUTCOMES[index]);
        outcomePoints.set(index, point);
      }
      return point;
    }

    DistributionDataPoint interToken() {
      DistributionDataPoint point = interToken;
      if (point == null) {
        point = interTokenLatency.labelValues(model);
        interToken = point;
      }
      return point;
    }

    DistributionDataPoint tokensPerSecond() {
      DistributionDataPoint point = tokensPerSecondPoint;
      if (point == null) {
        point = tokensPerSecond.labelValues(model);
        tokensPerSecondPoint = point;
      }
      return point;
    }

    DistributionDataPoint promptEval() {
      DistributionDataPoint point = promptEval;
      if (point == null) {
        point = promptEvalDuration.labelValues(model);
        promptEval = point;
      }
      return point;
    }

    DistributionDataPoint eval() {
      DistributionDataPoint point = eval;
      if (point == null) {
        point = evalDuration.labelValues(model);
        eval = point;
      }
      return point;
    }

    DistributionDataPoint modelLoad() {
      DistributionDataPoint point = modelLoadPoint;
      if (point == null) {
        point = modelLoad.labelValues(model);
        modelLoadPoint = point;
      }
      return point;
    }

    DistributionDataPoint rateLimitWait() {
      DistributionDataPoint point = rateLimitWaitPoint;
      if (point == null) {
        point = rateLimitWait.labelValues(model);
        rateLimitWaitPoint = point;
      }
      return point;
    }

    CounterDataPoint breakerFailures() {
      CounterDataPoint point = breakerFailuresPoint;
      if (point == null) {
        point = breakerFailures.labelValues(model);
        breakerFailuresPoint = point;
      }
      return point;
    }
  }

  /** The series of one model and graph label pair. */
  private final class GraphSeries {
    private final String model;
    private final String graph;
    private final Map<String, NodeSeries> nodes = new ConcurrentHashMap<>();
    private final Map<String, NodeSeries> nodesByName = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<CounterDataPoint> errorPoints =
        new AtomicReferenceArray<>(ErrorType.values().length);
    private final AtomicReferenceArray<CounterDataPoint> requestPoints =
        new AtomicReferenceArray<>(RequestType.values().length);
    private volatile GaugeDataPoint activePoint;
    private volatile DistributionDataPoint latencyPoint;
    private volatile DistributionDataPoint timeToFirstTokenPoint;
    private volatile CounterDataPoint inputTokensPoint;
    private volatile CounterDataPoint outputTokensPoint;

    GraphSeries(String model, String graph) {
      this.model = model;
      this.graph = graph;
    }

    /** The series of the node {@code name} (a raw id, guarded here). */
    NodeSeries node(String name) {
      NodeSeries known = nodesByName.get(name);
      if (known != null) {
        return known;
      }
      String label = guard.guard("node", name);
      NodeSeries found = nodes.get(label);
      if (found == null) {
        found = nodes.computeIfAbsent(label, n -> new NodeSeries(model, graph, n));
      }
      remember(nodesByName, name, label, found);
      return found;
    }

    CounterDataPoint requests(RequestType type) {
      CounterDataPoint point = requestPoints.get(type.ordinal());
      if (point == null) {
        point = requests.labelValues(model, graph, type.label());
        requestPoints.set(type.ordinal(), point);
      }
      return point;
    }

    CounterDataPoint errors(ErrorType errorType) {
      CounterDataPoint point = errorPoints.get(errorType.ordinal());
      if (point == null) {
        point = errors.labelValues(errorType.label(), model, graph);
        errorPoints.set(errorType.ordinal(), point);
      }
      return point;
    }

    GaugeDataPoint active() {
      GaugeDataPoint point = activePoint;
      if (point == null) {
        point = activeRequests.labelValues(model, graph);
        activePoint = point;
      }
      return point;
    }

    DistributionDataPoint latency() {
      DistributionDataPoint point = latencyPoint;
      if (point == null) {
        point = requestLatency.labelValues(model, graph);
        latencyPoint = point;
      }
      return point;
    }

    DistributionDataPoint timeToFirstToken() {
      DistributionDataPoint point = timeToFirstTokenPoint;
      if (point == null) {
        point = timeToFirstToken.labelValues(model, graph);
        timeToFirstTokenPoint = point;
      }
      return point;
    }

    CounterDataPoint inputTokens() {
      CounterDataPoint point = inputTokensPoint;
      if (point == null) {
        point = inputTokens.labelValues(model, graph);
        inputTokensPoint = point;
      }
      return point;
    }

    CounterDataPoint outputTokens() {
      CounterDataPoint point = outputTokensPoint;
      if (point == null) {
        point = outputTokens.labelValues(model, graph);
        outputTokensPoint = point;
      }
      return point;
    }
  }

  /** The series of one model, graph and node label triple. */
  private final class NodeSeries {
    private final String model;
    private final String graph;
    private final String node;
    private final AtomicReferenceArray<CounterDataPoint> outcomePoints =
        new AtomicReferenceArray<>(OUTCOMES.length);
    private volatile CounterDataPoint inputTokensPoint;
    private volatile CounterDataPoint outputTokensPoint;

    NodeSeries(String model, String graph, String node) {
      this.model = model;
      this.graph = graph;
      this.node = node;
    }

    CounterDataPoint outcome(int index) {
      CounterDataPoint point = outcomePoints.get(index);
      if (point == null) {
        point = nodeRequests.labelValues(model, graph, node, OUTCOMES[index]);
        outcomePoints.set(index, point);
      }
      return point;
    }

    CounterDataPoint inputTokens() {
      CounterDataPoint point = inputTokensPoint;
      if (point == null) {
        point = nodeTokens.labelValues(model, graph, node, "input");
        inputTokensPoint = point;
      }
      return point;
    }

    CounterDataPoint outputTokens() {
      CounterDataPoint point = outputTokensPoint;
      if (point == null) {
        point = nodeTokens.labelValues(model, graph, node, "output");
        outputTokensPoint = point;
      }
      return point;
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
   * across families, then passed through the label guard. {@code other}, which the client's
   * resilience state uses for the models beyond its cap, stays {@code other}.
   */
  private String model(String name) {
    return guard.guard("model", withTag(name));
  }

  static String withTag(String name) {
    if (name == null || name.isBlank() || LabelGuard.OTHER.equals(name)) {
      return name;
    }
    int slash = name.lastIndexOf('/');
    return name.indexOf(':', slash + 1) < 0 ? name + ":latest" : name;
  }
}
