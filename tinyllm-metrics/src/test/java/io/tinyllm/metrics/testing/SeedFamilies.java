package io.tinyllm.metrics.testing;

import java.util.List;

/**
 * The 24 metric families of the Python TinyLLM project that we keep by name (the compatibility
 * contract), as exposed. Tests of a running demo check that each has samples.
 */
public final class SeedFamilies {
  public static final List<String> NAMES =
      List.of(
          "tinyllm_requests_total",
          "tinyllm_request_latency_seconds",
          "tinyllm_active_requests",
          "tinyllm_tokens_input_total",
          "tinyllm_tokens_output_total",
          "tinyllm_model_load_duration_seconds",
          "tinyllm_errors_total",
          "tinyllm_circuit_breaker_state",
          "tinyllm_circuit_breaker_failures_total",
          "tinyllm_rate_limit_wait_seconds",
          "tinyllm_node_executions_total",
          "tinyllm_node_execution_duration_seconds",
          "tinyllm_node_errors_total",
          "tinyllm_graph_executions_total",
          "tinyllm_graph_execution_duration_seconds",
          "tinyllm_queue_size",
          "tinyllm_queue_wait_time_seconds",
          "tinyllm_queue_requests_total",
          "tinyllm_queue_requests_rejected_total",
          "tinyllm_queue_active_workers",
          "tinyllm_cache_hits_total",
          "tinyllm_cache_misses_total",
          "tinyllm_memory_operations_total",
          "tinyllm_system_info");

  private SeedFamilies() {}
}
