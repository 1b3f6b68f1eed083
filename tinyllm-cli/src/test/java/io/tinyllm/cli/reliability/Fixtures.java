package io.tinyllm.cli.reliability;

import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Shared set-up of the reliability suite: settings, simulators, bounded waits. */
final class Fixtures {
  static final String MODEL = "qwen2.5:0.5b";
  static final Duration WAIT = Duration.ofSeconds(30);

  private Fixtures() {}

  /**
   * Settings of an application against {@code ollama}: memory cache on, fast retries (3 attempts,
   * 10 ms apart), no client rate limit (the load tests would only measure it), then {@code
   * overrides} as key, value pairs.
   */
  static Map<String, String> settings(String ollama, String... overrides) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("ollama.host", ollama);
    settings.put("ollama.rate-limit.enabled", "false");
    settings.put("ollama.retry.initial-backoff", "10ms");
    settings.put("ollama.retry.max-backoff", "20ms");
    settings.put("ollama.timeout.connect", "2s");
    settings.put("ollama.timeout.request", "10s");
    settings.put("ollama.timeout.stream-idle", "10s");
    settings.put("cache.enabled", "true");
    settings.put("cache.backend", "memory");
    settings.put("queue.workers", "4");
    for (int i = 0; i + 1 < overrides.length; i += 2) {
      settings.put(overrides[i], overrides[i + 1]);
    }
    return settings;
  }

  static ReliabilityAccess.App start(Map<String, String> settings) {
    return ReliabilityAccess.start(settings);
  }

  /** An application whose durations (latencies, the breaker's open duration) read {@code clock}. */
  static ReliabilityAccess.App start(Map<String, String> settings, FakeTicker clock) {
    return ReliabilityAccess.start(settings, clock);
  }

  /** A fast simulator on an ephemeral loopback port. */
  static OllamaSimulator simulator() {
    return simulator(SimulatorConfig.builder().timeScale(0.01).build());
  }

  static OllamaSimulator simulator(SimulatorConfig config) {
    try {
      return OllamaSimulator.start(config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A simulator on {@code port}; retried for a few seconds because the port was just released by
   * the one that played the outage.
   */
  static OllamaSimulator simulatorOn(int port) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      try {
        return OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).port(port).build());
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new UncheckedIOException(e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** A deterministic (cacheable) generate request. */
  static GenerateRequest request(String prompt) {
    return request(MODEL, prompt);
  }

  static GenerateRequest request(String model, String prompt) {
    return GenerateRequest.builder(model, prompt)
        .options(GenerationOptions.builder().temperature(0.0).numPredict(16).build())
        .build();
  }

  /** The exception a future ended with (unwrapped), or null when it succeeded; bounded. */
  static Throwable failure(CompletableFuture<?> future) {
    try {
      future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (ExecutionException e) {
      return unwrap(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Polls {@code condition} every 20 ms until it holds; fails after {@code timeout}. */
  static void await(String what, BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(20);
    }
  }

  static Samples scrape(ReliabilityAccess.App app) {
    return Samples.parse(app.metrics().scrapeText());
  }
}
