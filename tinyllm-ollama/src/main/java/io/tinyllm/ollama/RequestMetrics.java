package io.tinyllm.ollama;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.metrics.MetricSet;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The client's request families: the seven of the Python project it owns (requests, latency,
 * active, input and output tokens, errors) plus outcomes and the per-node requests and tokens.
 * Recorded through {@link OllamaMetrics#requestStarted}, which resolves the points of a call's
 * model, graph and node.
 *
 * <p>A chat answer asking for tools adds their number to {@code tinyllm_tool_calls_total}; the
 * series appears with the first tool call.
 *
 * <p>After one successful generate of 12 prompt and 34 output tokens outside any graph:
 *
 * <pre>
 * tinyllm_requests_total{graph="default",model="qwen2.5:0.5b",request_type="generate"} 1.0
 * tinyllm_tokens_input_total{graph="default",model="qwen2.5:0.5b"} 12.0
 * tinyllm_tokens_output_total{graph="default",model="qwen2.5:0.5b"} 34.0
 * tinyllm_request_outcomes_total{model="qwen2.5:0.5b",outcome="success"} 1.0
 * tinyllm_node_requests_total{graph="default",model="qwen2.5:0.5b",node="default",outcome="success"} 1.0
 * </pre>
 */
@Singleton
public final class RequestMetrics implements MetricSet {
  /** Seed boundaries of request latency, extended past 60 s for slow generations. */
  static final double[] REQUEST_LATENCY_BUCKETS = {
    .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300
  };

  /**
   * The error types a client call can end with (docs/metrics.md): their series exist at 0 from a
   * model's admission on. Types only other components raise (config, graph, queue...) stay lazy.
   */
  static final Set<ErrorType> CLIENT_ERRORS =
      Collections.unmodifiableSet(
          EnumSet.of(
              ErrorType.CONNECTION,
              ErrorType.TIMEOUT,
              ErrorType.SERVER_BUSY,
              ErrorType.SERVER_ERROR,
              ErrorType.BAD_REQUEST,
              ErrorType.MODEL_NOT_FOUND,
              ErrorType.STREAM_ERROR,
              ErrorType.MALFORMED_RESPONSE,
              ErrorType.CIRCUIT_OPEN,
              ErrorType.RATE_LIMITED,
              ErrorType.CANCELLED,
              ErrorType.SERVER_REJECTED,
              ErrorType.NOT_SUPPORTED,
              ErrorType.RESPONSE_TOO_LARGE));

  /** How a call ended: the {@code outcome} label. */
  enum Outcome {
    SUCCESS,
    ERROR,
    CANCELLED;

    final String label = name().toLowerCase(Locale.ROOT);
  }

  private final boolean enabled;
  private final RecordingFailures recordingFailures = new RecordingFailures();

  private final Counter requests =
      Counter.builder()
          .name("tinyllm_requests_total")
          .help("LLM requests started, by model, graph and request type")
          .labelNames("model", "graph", "request_type")
          .build();
  private final Histogram latency =
      Histogram.builder()
          .name("tinyllm_request_latency_seconds")
          .help("Time from a call's start to its final answer or error, retries included")
          .labelNames("model", "graph")
          .classicOnly()
          .classicUpperBounds(REQUEST_LATENCY_BUCKETS)
          .build();
  private final Gauge active =
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
  private final Counter errors =
      Counter.builder()
          .name("tinyllm_errors_total")
          .help("LLM requests that failed, by error type")
          .labelNames("error_type", "model", "graph")
          .build();
  private final Counter toolCalls =
      Counter.builder()
          .name("tinyllm_tool_calls_total")
          .help("Tool calls the model asked for in successful chat answers")
          .labelNames("model", "graph")
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

  @Inject
  public RequestMetrics(OllamaConfig config) {
    this(config.metricsEnabled());
  }

  RequestMetrics(boolean enabled) {
    this.enabled = enabled;
  }

  @Override
  public List<Collector> collectors() {
    if (!enabled) {
      return List.of();
    }
    return List.of(
        requests,
        latency,
        active,
        inputTokens,
        outputTokens,
        errors,
        toolCalls,
        outcomes,
        nodeRequests,
        nodeTokens,
        recordingFailures.counter());
  }

  /** Where failures of the client's metric recording are counted. */
  RecordingFailures recordingFailures() {
    return recordingFailures;
  }

  /** The points of one model label. */
  ModelPoints model(String model) {
    return new ModelPoints(model);
  }

  /** The points of one model and graph label pair. */
  GraphPoints graph(String model, String graph) {
    return new GraphPoints(model, graph);
  }

  /** The points of one model, graph and node label triple. */
  NodePoints node(String model, String graph, String node) {
    return new NodePoints(model, graph, node);
  }

  final class ModelPoints {
    private final LazyDataPoints<CounterDataPoint> outcome;

    private ModelPoints(String model) {
      outcome =
          LazyDataPoints.perConstant(outcomes, Outcome.values(), o -> new String[] {model, o.label})
              .resolved();
    }

    void ended(Outcome how) {
      outcome.get(how).inc();
    }
  }

  final class GraphPoints {
    private final LazyDataPoints<CounterDataPoint> started;
    private final LazyDataPoints<CounterDataPoint> failed;
    private final LazyDataPoints<GaugeDataPoint> inProgress;
    private final LazyDataPoints<DistributionDataPoint> took;
    private final LazyDataPoints<CounterDataPoint> input;
    private final LazyDataPoints<CounterDataPoint> output;
    private final LazyDataPoints<CounterDataPoint> tools;

    private GraphPoints(String model, String graph) {
      // at 0 from the model's admission on, so the first request and first failure are visible
      // to rate(); request types stay lazy (embed is rare, and each is an input, not a finding)
      started =
          LazyDataPoints.perConstant(
              requests, RequestType.values(), t -> new String[] {model, graph, t.label()});
      failed =
          LazyDataPoints.perConstant(
              errors, ErrorType.values(), e -> new String[] {e.label(), model, graph});
      CLIENT_ERRORS.forEach(failed::get);
      inProgress = LazyDataPoints.of(active, model, graph).resolved();
      took = LazyDataPoints.of(latency, model, graph).resolved();
      input = LazyDataPoints.of(inputTokens, model, graph).resolved();
      output = LazyDataPoints.of(outputTokens, model, graph).resolved();
      tools = LazyDataPoints.of(toolCalls, model, graph);
    }

    void started(RequestType type) {
      started.get(type).inc();
      inProgress.get().inc();
    }

    /** The call ended, however it ended: it is no longer in progress. */
    void ended() {
      inProgress.get().dec();
    }

    void took(double seconds) {
      took.get().observe(seconds);
    }

    void prompted(long tokens) {
      input.get().inc(tokens);
    }

    void generated(long tokens) {
      output.get().inc(tokens);
    }

    void failed(ErrorType type) {
      failed.get(type).inc();
    }

    void toolsCalled(int calls) {
      tools.get().inc(calls);
    }
  }

  final class NodePoints {
    private final LazyDataPoints<CounterDataPoint> outcome;
    private final LazyDataPoints<CounterDataPoint> input;
    private final LazyDataPoints<CounterDataPoint> output;

    private NodePoints(String model, String graph, String node) {
      outcome =
          LazyDataPoints.perConstant(
                  nodeRequests, Outcome.values(), o -> new String[] {model, graph, node, o.label})
              .resolved();
      input = LazyDataPoints.of(nodeTokens, model, graph, node, "input");
      output = LazyDataPoints.of(nodeTokens, model, graph, node, "output");
    }

    void ended(Outcome how) {
      outcome.get(how).inc();
    }

    void prompted(long tokens) {
      input.get().inc(tokens);
    }

    void generated(long tokens) {
      output.get().inc(tokens);
    }
  }
}
