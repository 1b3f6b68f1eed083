package io.tinyllm.executor;

import java.time.Duration;

/**
 * One node execution in a graph run.
 *
 * @param outcome success, error, timeout, circuit_open or cancelled
 * @param error the failure's message, or {@code null}
 * @param cached whether the node's model call was answered from the response cache
 */
public record NodeTrace(
    String node,
    NodeType type,
    String outcome,
    int attempts,
    Duration latency,
    long promptTokens,
    long outputTokens,
    String error,
    boolean cached) {}
