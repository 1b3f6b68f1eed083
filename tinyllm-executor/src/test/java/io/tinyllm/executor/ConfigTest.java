package io.tinyllm.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.KnownSettings;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.executor.queue.QueueConfig;
import io.tinyllm.executor.queue.QueueModule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {
  @Test
  void executorDefaults() {
    assertThat(ExecutorConfig.defaults())
        .isEqualTo(
            new ExecutorConfig(
                Duration.ofSeconds(60),
                0,
                Duration.ofMillis(200),
                Duration.ofMinutes(5),
                100,
                FailureMode.FAIL_FAST,
                3,
                Duration.ofSeconds(60),
                "qwen2.5:0.5b",
                List.of(),
                64,
                1_048_576));
  }

  @Test
  void executorFullMapping() {
    Map<String, String> settings =
        Map.ofEntries(
            Map.entry("executor.node-timeout", "5s"),
            Map.entry("executor.node-retries", "2"),
            Map.entry("executor.retry-backoff", "10ms"),
            Map.entry("executor.graph-timeout", "1m"),
            Map.entry("executor.max-steps", "7"),
            Map.entry("executor.failure-mode", "best-effort"),
            Map.entry("executor.circuit-breaker.failure-threshold", "4"),
            Map.entry("executor.circuit-breaker.cooldown", "30s"),
            Map.entry("executor.default-model", "llama3.2:1b"),
            Map.entry("executor.graphs", "a.yaml, b.yaml"),
            Map.entry("executor.max-threads", "8"),
            Map.entry("executor.max-payload-chars", "5000"));
    assertThat(ExecutorConfig.from(Settings.of(settings)))
        .isEqualTo(
            new ExecutorConfig(
                Duration.ofSeconds(5),
                2,
                Duration.ofMillis(10),
                Duration.ofMinutes(1),
                7,
                FailureMode.BEST_EFFORT,
                4,
                Duration.ofSeconds(30),
                "llama3.2:1b",
                List.of("a.yaml", "b.yaml"),
                8,
                5000));
    assertThatThrownBy(
            () -> ExecutorConfig.from(Settings.of(Map.of("executor.failure-mode", "sometimes"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'executor.failure-mode'");
  }

  @Test
  void thePluginsOwnTheirPrefixesAndKnowEveryKeyTheyRead() {
    assertThat(new ExecutorModule().knownSettings())
        .isEqualTo(
            KnownSettings.of(
                List.of("executor.", "memory."),
                List.of(
                    "executor.node-timeout",
                    "executor.node-retries",
                    "executor.retry-backoff",
                    "executor.graph-timeout",
                    "executor.max-steps",
                    "executor.failure-mode",
                    "executor.circuit-breaker.failure-threshold",
                    "executor.circuit-breaker.cooldown",
                    "executor.default-model",
                    "executor.graphs",
                    "executor.max-threads",
                    "executor.max-payload-chars",
                    "memory.max-turns",
                    "memory.max-tokens")));
    assertThat(new QueueModule().knownSettings())
        .isEqualTo(
            KnownSettings.of(
                List.of("queue."),
                List.of(
                    "queue.max-size",
                    "queue.workers",
                    "queue.backpressure",
                    "queue.block-timeout",
                    "queue.task-timeout",
                    "queue.max-wait")));
  }

  @Test
  void queueDefaultsAndFullMapping() {
    assertThat(QueueConfig.defaults())
        .isEqualTo(
            new QueueConfig(
                1000, 4, "reject", Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ZERO));
    assertThat(
            QueueConfig.from(
                Settings.of(
                    Map.of(
                        "queue.max-size", "10",
                        "queue.workers", "2",
                        "queue.backpressure", "block",
                        "queue.block-timeout", "250ms",
                        "queue.task-timeout", "0",
                        "queue.max-wait", "3s"))))
        .isEqualTo(
            new QueueConfig(
                10, 2, "block", Duration.ofMillis(250), Duration.ZERO, Duration.ofSeconds(3)));
  }
}
