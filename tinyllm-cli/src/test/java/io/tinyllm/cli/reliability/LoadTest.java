package io.tinyllm.cli.reliability;

import static io.tinyllm.cli.reliability.Fixtures.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.error.QueueRejectedException;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many callers through queue, cache and client for a bounded time, with faults: every submission
 * ends exactly once, as the test saw it, and every counter equals the test's own tally.
 */
class LoadTest {
  private static final int CALLERS = 8;
  private static final Duration RUN_FOR = Duration.ofSeconds(4);
  private static final String[] MODELS = {"qwen2.5:0.5b", "qwen2.5:1.5b"};

  private final AtomicLong submitted = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong clientCalls = new AtomicLong();
  private final AtomicLong deterministicCalls = new AtomicLong();
  private final ConcurrentLinkedQueue<Throwable> surprises = new ConcurrentLinkedQueue<>();

  @Test
  void everyRequestIsAccountedForExactlyOnce() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    try (OllamaSimulator sim =
            Fixtures.simulator(
                SimulatorConfig.builder().timeScale(0.01).maxParallel(8).faultSeed(7).build());
        ReliabilityAccess.App app =
            Fixtures.start(
                Fixtures.settings(
                    sim.baseUri().toString(),
                    "queue.workers",
                    "4",
                    "queue.max-size",
                    "8",
                    "queue.backpressure",
                    "reject",
                    "queue.task-timeout",
                    "1s"))) {
      // a few 500s (retried, now and then failing a call for good) and a few hung requests that
      // outlive the queue's task timeout
      sim.faults().errorRate(0.05); // Ollama's crashed-runner text: retried
      LlmClient client = app.get(LlmClient.class);
      RequestQueue queue = app.get(RequestQueue.class);
      long end = System.nanoTime() + RUN_FOR.toNanos();
      List<Thread> callers = new ArrayList<>();
      for (int t = 0; t < CALLERS; t++) {
        Random random = new Random(t);
        Thread caller =
            new Thread(() -> callUntil(end, random, client, queue, sim), "load-caller-" + t);
        caller.start();
        callers.add(caller);
      }
      for (Thread caller : callers) {
        caller.join(RUN_FOR.plusSeconds(60).toMillis());
        assertThat(caller.isAlive()).as(caller.getName() + " is stuck").isFalse();
      }
      Fixtures.await(
          "the queue to go idle",
          () -> {
            Samples s = scrape(app);
            return s.sum("tinyllm_queue_size", "priority", "all") == 0
                && s.sum("tinyllm_queue_active_workers") == 0
                && s.sum("tinyllm_active_requests") == 0;
          },
          Fixtures.WAIT);

      assertThat(surprises).isEmpty();
      long total = submitted.get();
      assertThat(completed.get() + failed.get() + timedOut.get() + rejected.get()).isEqualTo(total);
      assertThat(completed.get()).isPositive();
      assertThat(rejected.get()).as("the small queue pushed back").isPositive();
      assertThat(timedOut.get()).as("hung requests timed out").isPositive();

      Samples s = scrape(app);
      assertThat(s.count("tinyllm_queue_requests_total")).isEqualTo(total);
      assertThat(s.count("tinyllm_queue_outcomes_total")).isEqualTo(total);
      assertThat(s.count("tinyllm_queue_outcomes_total", "outcome", "completed"))
          .isEqualTo(completed.get());
      assertThat(s.count("tinyllm_queue_outcomes_total", "outcome", "failed"))
          .isEqualTo(failed.get());
      assertThat(s.count("tinyllm_queue_outcomes_total", "outcome", "timed_out"))
          .isEqualTo(timedOut.get());
      assertThat(s.count("tinyllm_queue_outcomes_total", "outcome", "rejected"))
          .isEqualTo(rejected.get());
      assertThat(s.count("tinyllm_queue_requests_rejected_total")).isEqualTo(rejected.get());

      // the cache saw every call that ran; what it did not answer reached the client
      long hits = s.count("tinyllm_cache_hits_total");
      long misses = s.count("tinyllm_cache_misses_total");
      long skips = s.count("tinyllm_cache_skips_total");
      assertThat(hits + misses).isEqualTo(deterministicCalls.get());
      assertThat(hits + misses + skips).isEqualTo(clientCalls.get());
      assertThat(hits).isPositive();
      long coalesced = s.count("tinyllm_cache_coalesced_total");
      long requests = s.count("tinyllm_requests_total");
      // a miss answered by an identical request's call never reached the model
      assertThat(requests).isEqualTo(misses + skips - coalesced);
      assertThat(s.count("tinyllm_request_outcomes_total")).isEqualTo(requests);
      assertThat(s.count("tinyllm_request_latency_seconds_count"))
          .isEqualTo(requests - s.count("tinyllm_request_outcomes_total", "outcome", "cancelled"));
    }
    System.out.printf(
        "load: %d completed, %d failed, %d timed out, %d rejected%n",
        completed.get(), failed.get(), timedOut.get(), rejected.get());
    // what the app owns is let go when it closes: every thread it started ends (a heap figure
    // after System.gc() is neither deterministic nor tied to what leaked)
    Fixtures.await(
        "the app's threads to end, left: " + started(before),
        () -> started(before).isEmpty(),
        Fixtures.WAIT);
  }

  /**
   * Live threads that were not there in {@code before}, but for those the JVM or a library owns:
   * the JDK's shared pool, Prometheus' one scheduler per JVM, and the JDK 17 HttpClient's threads,
   * which end only when the client is collected (it has no close() before JDK 21).
   */
  private static List<String> started(Set<Thread> before) {
    List<String> names = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(thread)
          && thread.isAlive()
          && !thread.getName().startsWith("ForkJoinPool.commonPool")
          && !thread.getName().startsWith("prometheus-metrics-scheduler")
          && !thread.getName().startsWith("HttpClient-")) {
        names.add(thread.getName());
      }
    }
    return names;
  }

  private void callUntil(
      long end, Random random, LlmClient client, RequestQueue queue, OllamaSimulator sim) {
    List<CompletableFuture<String>> pending = new ArrayList<>();
    for (int i = 0; i < 1_000_000 && System.nanoTime() < end; i++) {
      int pick = random.nextInt(100);
      // one task in a hundred that runs (not one submission: most are rejected at once) hangs
      boolean hang = pick == 0;
      String model = MODELS[random.nextInt(MODELS.length)];
      // a small set of prompts, so repeated deterministic ones hit the cache
      String prompt = "load question " + random.nextInt(30);
      boolean deterministic = pick >= 10;
      boolean stream = pick % 7 == 0;
      GenerateRequest request =
          GenerateRequest.builder(model, prompt)
              .options(
                  GenerationOptions.builder()
                      .temperature(deterministic ? 0.0 : 0.7)
                      .numPredict(12)
                      .build())
              .build();
      submitted.incrementAndGet();
      CompletableFuture<String> future;
      try {
        future =
            queue.submit(
                Priority.values()[random.nextInt(Priority.values().length)],
                () -> {
                  if (hang) {
                    sim.faults().hang(Duration.ofSeconds(3), 1);
                  }
                  clientCalls.incrementAndGet();
                  if (deterministic) {
                    deterministicCalls.incrementAndGet();
                  }
                  return stream
                      ? client.generateStream(request, token -> {}).completion().join().text()
                      : client.generate(request).text();
                });
      } catch (QueueRejectedException e) {
        rejected.incrementAndGet();
        continue;
      }
      pending.add(future);
      if (pending.size() >= 4) {
        settle(pending.remove(0));
      }
    }
    pending.forEach(this::settle);
  }

  private void settle(CompletableFuture<String> future) {
    Throwable failure = Fixtures.failure(future);
    if (failure == null) {
      completed.incrementAndGet();
    } else if (failure instanceof QueueRejectedException) {
      rejected.incrementAndGet();
    } else if (failure instanceof TimeoutException) {
      timedOut.incrementAndGet();
    } else if (failure instanceof io.tinyllm.api.error.LlmException) {
      failed.incrementAndGet();
    } else {
      surprises.add(failure);
    }
  }
}
