package io.tinyllm.executor.queue;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import java.time.Duration;

/**
 * Settings of the request queue.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@code queue.max-size}</td><td>1000 waiting requests, all priorities together</td></tr>
 *   <tr><td>{@code queue.workers}</td><td>4</td></tr>
 *   <tr><td>{@code queue.backpressure}</td><td>reject (or block)</td></tr>
 *   <tr><td>{@code queue.block-timeout}</td><td>5s: how long {@code block} waits for space</td></tr>
 *   <tr><td>{@code queue.task-timeout}</td><td>5m: longest a request may run; 0 for none</td></tr>
 *   <tr><td>{@code queue.max-wait}</td><td>0 (none): longest a request may wait to start</td></tr>
 * </table>
 */
public record QueueConfig(
    int maxSize,
    int workers,
    String backpressure,
    Duration blockTimeout,
    Duration taskTimeout,
    Duration maxWait) {

  public QueueConfig {
    requireNonNull(backpressure, "backpressure is null");
    requireNonNull(blockTimeout, "blockTimeout is null");
    requireNonNull(taskTimeout, "taskTimeout is null");
    requireNonNull(maxWait, "maxWait is null");
    if (maxSize < 1 || workers < 1) {
      throw new IllegalArgumentException("maxSize and workers must be at least 1");
    }
  }

  public static QueueConfig defaults() {
    return from(Settings.empty());
  }

  public static QueueConfig from(Settings settings) {
    return new QueueConfig(
        settings.getInt("queue.max-size", 1000, 1, 10_000_000),
        settings.getInt("queue.workers", 4, 1, 1024),
        settings.getString("queue.backpressure", RejectBackpressure.NAME),
        settings.getDuration("queue.block-timeout", Duration.ofSeconds(5)),
        settings.getDuration("queue.task-timeout", Duration.ofMinutes(5)),
        settings.getDuration("queue.max-wait", Duration.ZERO));
  }
}
