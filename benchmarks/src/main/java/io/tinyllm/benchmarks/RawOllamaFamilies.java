package io.tinyllm.benchmarks;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;

/**
 * The families one instrumented streaming request of {@code OllamaMetrics} updates, built the same
 * way (names, labels, classic buckets) with plain client_java, so the raw baselines pay for exactly
 * the same storage as ours.
 */
final class RawOllamaFamilies {
  static final double[] REQUEST_LATENCY_BUCKETS = {
    .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300
  };
  static final double[] TIME_TO_FIRST_TOKEN_BUCKETS = {
    .001, .005, .01, .02, .04, .06, .08, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10, 30, 60, 120
  };
  static final double[] INTER_TOKEN_BUCKETS = {
    .001, .0025, .005, .01, .025, .05, .075, .1, .15, .2, .3, .4, .5, .75, 1, 2.5
  };
  static final double[] TOKENS_PER_SECOND_BUCKETS = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000};

  final Counter requests = counter("tinyllm_requests_total", "model", "graph", "request_type");
  final Histogram requestLatency =
      histogram("tinyllm_request_latency_seconds", REQUEST_LATENCY_BUCKETS, "model", "graph");
  final Gauge activeRequests =
      Gauge.builder()
          .name("tinyllm_active_requests")
          .help("LLM requests in progress")
          .labelNames("model", "graph")
          .build();
  final Counter inputTokens = counter("tinyllm_tokens_input_total", "model", "graph");
  final Counter outputTokens = counter("tinyllm_tokens_output_total", "model", "graph");
  final Histogram timeToFirstToken =
      histogram(
          "tinyllm_time_to_first_token_seconds", TIME_TO_FIRST_TOKEN_BUCKETS, "model", "graph");
  final Histogram interTokenLatency =
      histogram("tinyllm_inter_token_latency_seconds", INTER_TOKEN_BUCKETS, "model");
  final Histogram tokensPerSecond =
      histogram("tinyllm_output_tokens_per_second", TOKENS_PER_SECOND_BUCKETS, "model");
  final Histogram promptEvalDuration =
      histogram("tinyllm_ollama_prompt_eval_duration_seconds", REQUEST_LATENCY_BUCKETS, "model");
  final Histogram evalDuration =
      histogram("tinyllm_ollama_eval_duration_seconds", REQUEST_LATENCY_BUCKETS, "model");
  final Counter outcomes = counter("tinyllm_request_outcomes_total", "model", "outcome");
  final Counter nodeRequests =
      counter("tinyllm_node_requests_total", "model", "graph", "node", "outcome");
  final Counter nodeTokens = counter("tinyllm_node_tokens_total", "model", "graph", "node", "type");

  private static Counter counter(String name, String... labelNames) {
    return Counter.builder().name(name).help(name).labelNames(labelNames).build();
  }

  private static Histogram histogram(String name, double[] buckets, String... labelNames) {
    return Histogram.builder()
        .name(name)
        .help(name)
        .labelNames(labelNames)
        .classicOnly()
        .classicUpperBounds(buckets)
        .build();
  }
}
