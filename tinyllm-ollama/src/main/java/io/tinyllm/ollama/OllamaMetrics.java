package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.time.Ticker;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Supplier;

/**
 * The Ollama client's metrics, as the client sees them: a call's life ({@link #requestStarted}),
 * and the {@link ResilienceMetrics} and {@link InventoryMetrics} its resilience and inventory
 * report to. The families live in six sets, each bound with the metrics binder: {@link
 * RequestMetrics}, {@link StreamingMetrics}, {@link ServerDurationMetrics}, {@link
 * ResilienceMetrics}, {@link InventoryMetrics} and {@link HostMetrics}. Call sites say what
 * happened; labels are the sets' business.
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
 * <p>Metrics made without the injector (for {@link OllamaClient#create} and {@link
 * OllamaClient#createOneShot}) build the sets of inference calls (requests, streaming, server
 * durations, resilience, inventory) when a call first records to them, or when {@link #sets()} is
 * asked for: a command that only manages models never builds them. What is recorded is the same.
 *
 * <p>Model, graph and node label values pass through the shared {@link LabelGuard}. The data points
 * of each model, graph and node combination are resolved once and kept (at most as many
 * combinations as the guard admits), so recording a request costs three map lookups and allocates
 * only its {@link Call}.
 */
@Singleton
public final class OllamaMetrics {
  // the sets a call may never need are built when first recorded to, so a client that makes a
  // call or two (a CLI command) builds only what those calls record (docs/performance.md §7);
  // the injector's sets come built, and sets() builds every one
  private final Lazy<RequestMetrics> requests;
  private final Lazy<StreamingMetrics> streaming;
  private final Lazy<ServerDurationMetrics> server;
  private final Lazy<ResilienceMetrics> resilience;
  private final Lazy<InventoryMetrics> inventory;
  // built with the client: its servers' series start at once (up, nothing in flight)
  private final HostMetrics hosts;
  private final boolean enabled;
  private final LabelCache<ModelSeries> models;
  private final Ticker ticker;
  private final Call noopCall = new Call(null, null, null, 0);

  /** The injector's metrics; {@code ticker} times latency, time to first output and output gaps. */
  @Inject
  public OllamaMetrics(
      LabelGuard guard,
      OllamaConfig config,
      RequestMetrics requests,
      StreamingMetrics streaming,
      ServerDurationMetrics server,
      ResilienceMetrics resilience,
      InventoryMetrics inventory,
      HostMetrics hosts,
      Ticker ticker) {
    this(
        guard,
        Lazy.built(requests),
        Lazy.built(streaming),
        Lazy.built(server),
        Lazy.built(resilience),
        Lazy.built(inventory),
        hosts,
        config.metricsEnabled(),
        ticker);
  }

  /** Metrics as {@code config} asks, in sets of their own (not registered anywhere). */
  public OllamaMetrics(LabelGuard guard, OllamaConfig config) {
    this(guard, config, Ticker.system());
  }

  /**
   * Metrics as {@code config} asks, in sets of their own (not registered anywhere), timed by {@code
   * ticker}.
   */
  public OllamaMetrics(LabelGuard guard, OllamaConfig config, Ticker ticker) {
    this(guard, config.modelLoadThreshold(), config.metricsEnabled(), ticker);
  }

  /** Enabled metrics in sets of their own (not registered anywhere). */
  public OllamaMetrics(LabelGuard guard, Duration modelLoadThreshold) {
    this(guard, modelLoadThreshold, true, Ticker.system());
  }

  private OllamaMetrics(
      LabelGuard guard, Duration modelLoadThreshold, boolean enabled, Ticker ticker) {
    this(
        requireNonNull(guard, "guard is null"),
        Lazy.of(() -> new RequestMetrics(enabled)),
        Lazy.of(() -> new StreamingMetrics(enabled)),
        Lazy.of(() -> new ServerDurationMetrics(modelLoadThreshold, enabled)),
        Lazy.of(() -> new ResilienceMetrics(guard, enabled)),
        Lazy.of(() -> new InventoryMetrics(guard, enabled)),
        new HostMetrics(enabled),
        enabled,
        ticker);
  }

  private OllamaMetrics(
      LabelGuard guard,
      Lazy<RequestMetrics> requests,
      Lazy<StreamingMetrics> streaming,
      Lazy<ServerDurationMetrics> server,
      Lazy<ResilienceMetrics> resilience,
      Lazy<InventoryMetrics> inventory,
      HostMetrics hosts,
      boolean enabled,
      Ticker ticker) {
    requireNonNull(guard, "guard is null");
    this.ticker = requireNonNull(ticker, "ticker is null");
    this.requests = requireNonNull(requests, "requests is null");
    this.streaming = requireNonNull(streaming, "streaming is null");
    this.server = requireNonNull(server, "server is null");
    this.resilience = requireNonNull(resilience, "resilience is null");
    this.inventory = requireNonNull(inventory, "inventory is null");
    this.hosts = requireNonNull(hosts, "hosts is null");
    this.enabled = enabled;
    this.models = new LabelCache<>(name -> modelLabel(guard, name), m -> new ModelSeries(guard, m));
    noopCall.ended = 1;
  }

  /**
   * Metrics that record nothing and contribute no family ({@code ollama.metrics.enabled=false}):
   * for users who instrument the client themselves, and for measuring what instrumentation costs.
   */
  public static OllamaMetrics disabled() {
    return new OllamaMetrics(new LabelGuard(1, 1), Duration.ZERO, false, Ticker.system());
  }

  /** Whether this records anything. */
  public boolean isEnabled() {
    return enabled;
  }

  /** The sets holding the families, in a stable order (none contributes any when disabled). */
  public List<MetricSet> sets() {
    return List.of(
        requests.get(), streaming.get(), server.get(), resilience.get(), inventory.get(), hosts);
  }

  ResilienceMetrics resilience() {
    return resilience.get();
  }

  /** The resilience metrics, built when first recorded to. */
  Supplier<ResilienceMetrics> lazyResilience() {
    return resilience;
  }

  InventoryMetrics inventory() {
    return inventory.get();
  }

  HostMetrics hosts() {
    return hosts;
  }

  /** Where a failure of metric recording goes instead of into the call being recorded. */
  RecordingFailures recordingFailures() {
    return requests.get().recordingFailures();
  }

  /**
   * Whether the sets of a call (requests, streaming, server durations) were built yet; for tests.
   */
  boolean callSetsBuilt() {
    return requests.isBuilt() || streaming.isBuilt() || server.isBuilt();
  }

  /** The clock this times calls with; the client's rate limiter reads it too. */
  Ticker ticker() {
    return ticker;
  }

  /**
   * A call started now, in the graph and node of the calling thread's {@link ExecutionContext}.
   * Exactly one of the returned call's {@code succeeded}, {@code failed} or {@code cancelled} must
   * follow. Recording never throws: a failure of the metrics code is counted in {@code
   * tinyllm_ollama_metrics_recording_errors_total} and the call goes on (unrecorded, if it failed
   * here).
   */
  public Call requestStarted(String model, RequestType type) {
    requireNonNull(type, "type is null");
    if (!enabled) {
      return noopCall;
    }
    try {
      ExecutionContext context = ExecutionContext.current();
      ModelSeries modelSeries = models.get(model);
      GraphSeries graphSeries = modelSeries.graphs.get(context.graph());
      RequestMetrics.NodePoints node = graphSeries.nodes.get(context.node());
      graphSeries.request.started(type);
      return new Call(modelSeries, graphSeries, node, ticker.read());
    } catch (RuntimeException e) {
      recordingFailures().failed(e);
      return noopCall;
    }
  }

  /**
   * The {@code model} label of {@code name}: tagged as Ollama names it ({@code nomic-embed-text} is
   * {@code nomic-embed-text:latest}, as {@code /api/ps} reports it) so one model is one label value
   * across families, then passed through the label guard. {@code other}, which the client's
   * resilience state uses for the models beyond its cap, stays {@code other}.
   */
  static String modelLabel(LabelGuard guard, String name) {
    return guard.guard("model", withTag(name));
  }

  static String withTag(String name) {
    if (name == null || name.isBlank() || LabelGuard.OTHER.equals(name)) {
      return name;
    }
    int slash = name.lastIndexOf('/');
    return name.indexOf(':', slash + 1) < 0 ? name + ":latest" : name;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /**
   * One call in progress; ends exactly once, whichever thread ends it. {@link #outputReceived} is
   * for the one thread that reads the stream. No method throws: a failure while recording is
   * counted and logged by {@link RecordingFailures}, never passed to the call.
   */
  public final class Call {
    private static final AtomicIntegerFieldUpdater<Call> ENDED =
        AtomicIntegerFieldUpdater.newUpdater(Call.class, "ended");

    // the points themselves, not their series: one load less per update (docs/performance.md)
    private final RequestMetrics.ModelPoints model;
    private final StreamingMetrics.ModelPoints streaming;
    private final ServerDurationMetrics.ModelPoints server;
    private final RequestMetrics.GraphPoints graph;
    private final StreamingMetrics.FirstOutput firstOutput;
    private final RequestMetrics.NodePoints node;
    private final long startNanos;
    private volatile int ended;
    private long lastTokenNanos = -1;

    private Call(
        ModelSeries model, GraphSeries graph, RequestMetrics.NodePoints node, long startNanos) {
      this.model = model == null ? null : model.request;
      this.streaming = model == null ? null : model.streaming;
      this.server = model == null ? null : model.server;
      this.graph = graph == null ? null : graph.request;
      this.firstOutput = graph == null ? null : graph.firstOutput;
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
      try {
        long now = ticker.read();
        if (lastTokenNanos < 0) {
          firstOutput.arrivedAfter(seconds(now - startNanos));
        } else {
          streaming.outputGap(seconds(now - lastTokenNanos));
        }
        lastTokenNanos = now;
      } catch (RuntimeException e) {
        recordingFailures().failed(e);
      }
    }

    /** The call answered: records its latency and what the server reported. */
    public void succeeded(LlmResponse response) {
      if (!end()) {
        return;
      }
      try {
        tookUntilNow();
        outcome(RequestMetrics.Outcome.SUCCESS);
        long promptTokens = response.promptTokens();
        long outputTokens = response.outputTokens();
        graph.prompted(promptTokens);
        graph.generated(outputTokens);
        node.prompted(promptTokens);
        node.generated(outputTokens);
        if (!response.toolCalls().isEmpty()) {
          graph.toolsCalled(response.toolCalls().size());
        }
        server.reported(
            response.loadDuration(),
            response.promptEvalDuration(),
            response.evalDuration(),
            response.totalDuration(),
            ticker.read());
        if (!response.evalDuration().isZero() && outputTokens > 0) {
          streaming.generated(response.tokensPerSecond());
        }
      } catch (RuntimeException e) {
        recordingFailures().failed(e);
      }
    }

    /** The embedding call answered. */
    public void succeeded(EmbedResponse response) {
      if (!end()) {
        return;
      }
      try {
        tookUntilNow();
        outcome(RequestMetrics.Outcome.SUCCESS);
        graph.prompted(response.promptTokens());
        node.prompted(response.promptTokens());
        server.reported(
            response.loadDuration(),
            Duration.ZERO,
            Duration.ZERO,
            response.totalDuration(),
            ticker.read());
      } catch (RuntimeException e) {
        recordingFailures().failed(e);
      }
    }

    /** The call failed with {@code error} (after any retries). */
    public void failed(LlmException error) {
      failed(error.errorType());
    }

    /** The call failed with an error of type {@code errorType}. */
    public void failed(ErrorType errorType) {
      requireNonNull(errorType, "errorType is null");
      if (!end()) {
        return;
      }
      try {
        tookUntilNow();
        graph.failed(errorType);
        outcome(RequestMetrics.Outcome.ERROR);
      } catch (RuntimeException e) {
        recordingFailures().failed(e);
      }
    }

    /** The caller cancelled the call: neither an error nor a latency sample. */
    public void cancelled() {
      if (!end()) {
        return;
      }
      try {
        outcome(RequestMetrics.Outcome.CANCELLED);
      } catch (RuntimeException e) {
        recordingFailures().failed(e);
      }
    }

    private boolean end() {
      if (!ENDED.compareAndSet(this, 0, 1)) {
        return false;
      }
      try {
        graph.ended();
      } catch (RuntimeException e) {
        recordingFailures().failed(e);
      }
      return true;
    }

    private void tookUntilNow() {
      graph.took(seconds(ticker.read() - startNanos));
    }

    private void outcome(RequestMetrics.Outcome outcome) {
      model.ended(outcome);
      node.ended(outcome);
    }
  }

  /** The points of one model label in each set, and its graphs. */
  private final class ModelSeries {
    final RequestMetrics.ModelPoints request;
    final StreamingMetrics.ModelPoints streaming;
    final ServerDurationMetrics.ModelPoints server;
    final LabelCache<GraphSeries> graphs;

    ModelSeries(LabelGuard guard, String model) {
      request = requests.get().model(model);
      streaming = OllamaMetrics.this.streaming.get().model(model);
      server = OllamaMetrics.this.server.get().model(model);
      graphs =
          new LabelCache<>(
              name -> guard.guard("graph", name), graph -> new GraphSeries(guard, model, graph));
    }
  }

  /** The points of one model and graph label pair, and its nodes. */
  private final class GraphSeries {
    final RequestMetrics.GraphPoints request;
    final StreamingMetrics.FirstOutput firstOutput;
    final LabelCache<RequestMetrics.NodePoints> nodes;

    GraphSeries(LabelGuard guard, String model, String graph) {
      request = requests.get().graph(model, graph);
      firstOutput = streaming.get().firstOutput(model, graph);
      nodes =
          new LabelCache<>(
              name -> guard.guard("node", name), node -> requests.get().node(model, graph, node));
    }
  }
}
