package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the graph executor.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@code executor.node-timeout}</td><td>60s</td></tr>
 *   <tr><td>{@code executor.node-retries}</td><td>0</td></tr>
 *   <tr><td>{@code executor.retry-backoff}</td><td>200ms</td></tr>
 *   <tr><td>{@code executor.graph-timeout}</td><td>5m</td></tr>
 *   <tr><td>{@code executor.max-steps}</td><td>100</td></tr>
 *   <tr><td>{@code executor.failure-mode}</td><td>fail-fast (or best-effort)</td></tr>
 *   <tr><td>{@code executor.circuit-breaker.failure-threshold}</td><td>3</td></tr>
 *   <tr><td>{@code executor.circuit-breaker.cooldown}</td><td>60s</td></tr>
 *   <tr><td>{@code executor.default-model}</td><td>qwen2.5:0.5b</td></tr>
 *   <tr><td>{@code executor.graphs}</td><td>none; comma-separated graph files</td></tr>
 *   <tr><td>{@code executor.max-threads}</td><td>64</td></tr>
 *   <tr><td>{@code executor.max-payload-chars}</td><td>1048576</td></tr>
 * </table>
 */
public record ExecutorConfig(
    Duration nodeTimeout,
    int nodeRetries,
    Duration retryBackoff,
    Duration graphTimeout,
    int maxSteps,
    FailureMode failureMode,
    int breakerFailureThreshold,
    Duration breakerCooldown,
    String defaultModel,
    List<String> graphFiles,
    int maxThreads,
    int maxPayloadChars) {

  public ExecutorConfig {
    requireNonNull(nodeTimeout, "nodeTimeout is null");
    requireNonNull(retryBackoff, "retryBackoff is null");
    requireNonNull(graphTimeout, "graphTimeout is null");
    requireNonNull(failureMode, "failureMode is null");
    requireNonNull(breakerCooldown, "breakerCooldown is null");
    requireNonNull(defaultModel, "defaultModel is null");
    graphFiles = List.copyOf(requireNonNull(graphFiles, "graphFiles is null"));
    if (maxThreads < 1) {
      throw new IllegalArgumentException("maxThreads must be at least 1");
    }
    if (maxPayloadChars < 1) {
      throw new IllegalArgumentException("maxPayloadChars must be at least 1");
    }
  }

  public static ExecutorConfig defaults() {
    return from(Settings.empty());
  }

  public static ExecutorConfig from(Settings settings) {
    String mode = settings.getString("executor.failure-mode", "fail-fast");
    FailureMode failureMode;
    try {
      failureMode = FailureMode.parse(mode);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Invalid value '"
              + mode
              + "' for setting 'executor.failure-mode': expected fail-fast or best-effort");
    }
    return new ExecutorConfig(
        settings.getDuration("executor.node-timeout", Duration.ofSeconds(60)),
        settings.getInt("executor.node-retries", 0, 0, 10),
        settings.getDuration("executor.retry-backoff", Duration.ofMillis(200)),
        settings.getDuration("executor.graph-timeout", Duration.ofMinutes(5)),
        settings.getInt("executor.max-steps", 100, 1, 100_000),
        failureMode,
        settings.getInt("executor.circuit-breaker.failure-threshold", 3, 1, 1000),
        settings.getDuration("executor.circuit-breaker.cooldown", Duration.ofSeconds(60)),
        settings.getString("executor.default-model", "qwen2.5:0.5b"),
        settings.getList("executor.graphs", List.of()),
        settings.getInt("executor.max-threads", 64, 1, 10_000),
        settings.getInt(TextLimit.SETTING, 1 << 20, 1, 1 << 28));
  }
}
