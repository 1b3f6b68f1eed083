package io.tinyllm.cli;

import java.util.Map;
import picocli.CommandLine.Option;

/** The request queue's size and workers. */
final class QueueOptions {
  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Requests run at once by the queue's workers (default 4).")
  Integer workers;

  @Option(
      names = "--max-queue-size",
      paramLabel = "N",
      description = "Requests that may wait in the queue (default 1000).")
  Integer maxQueueSize;

  void addTo(Map<String, String> settings) {
    if (workers != null) {
      if (workers < 1 || workers > 1024) {
        throw new UsageException("--workers must be from 1 to 1024, got " + workers);
      }
      settings.put("queue.workers", workers.toString());
    }
    if (maxQueueSize != null) {
      if (maxQueueSize < 1) {
        throw new UsageException("--max-queue-size must be at least 1, got " + maxQueueSize);
      }
      settings.put("queue.max-size", maxQueueSize.toString());
    }
  }

  int maxQueueSizeOr(int defaultValue) {
    return maxQueueSize == null ? defaultValue : maxQueueSize;
  }
}
