package io.tinyllm.cli.reliability;

import static io.tinyllm.cli.reliability.Fixtures.request;
import static io.tinyllm.cli.reliability.Fixtures.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.metrics.testing.RedisServerProcess;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Redis stopped and restarted under traffic: no request fails, and the cache hits again. */
class RedisOutageTest {
  private static final int CALLERS = 4;

  @Test
  void requestsKeepSucceedingWhileRedisIsDownAndTheCacheRecovers() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        OllamaSimulator sim = Fixtures.simulator();
        ReliabilityAccess.App app =
            Fixtures.start(
                Fixtures.settings(
                    sim.baseUri().toString(),
                    "cache.backend",
                    "redis",
                    "cache.redis.uri",
                    redis.uri(),
                    "cache.redis.timeout",
                    "250ms",
                    "cache.redis.reconnect-delay",
                    "200ms"))) {
      LlmClient client = app.get(LlmClient.class);
      RequestQueue queue = app.get(RequestQueue.class);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong calls = new AtomicLong();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      List<Thread> callers = new ArrayList<>();
      for (int t = 0; t < CALLERS; t++) {
        int id = t;
        Thread caller =
            new Thread(
                () -> {
                  for (int i = 0; running.get() && i < 100_000; i++) {
                    String prompt = "redis question " + ((i + id) % 8);
                    calls.incrementAndGet();
                    Throwable failure =
                        Fixtures.failure(
                            queue.submit(
                                Priority.NORMAL, () -> client.generate(request(prompt)).text()));
                    if (failure != null) {
                      failures.add(failure);
                    }
                  }
                },
                "redis-caller-" + t);
        caller.start();
        callers.add(caller);
      }
      try {
        Fixtures.await("hits before the outage", () -> hits(app) >= 20, Fixtures.WAIT);
        redis.stop();
        long errorsBefore = cacheErrors(app);
        Fixtures.await(
            "the outage noticed", () -> cacheErrors(app) > errorsBefore + 10, Fixtures.WAIT);
        long callsDuringOutage = calls.get();
        Fixtures.await(
            "traffic during the outage", () -> calls.get() > callsDuringOutage + 50, Fixtures.WAIT);
        redis.restart();
        long hitsAfterRestart = hits(app);
        Fixtures.await(
            "hits after the restart", () -> hits(app) >= hitsAfterRestart + 20, Fixtures.WAIT);
        assertThat(Long.parseLong(redis.command("DBSIZE").substring(1))).isPositive();
      } finally {
        running.set(false);
        for (Thread caller : callers) {
          caller.join(Fixtures.WAIT.toMillis());
          assertThat(caller.isAlive()).as(caller.getName() + " finished").isFalse();
        }
      }

      assertThat(failures).isEmpty();
      Samples s = scrape(app);
      long hits = s.count("tinyllm_cache_hits_total", "cache_type", "redis");
      long misses = s.count("tinyllm_cache_misses_total", "cache_type", "redis");
      long coalesced = s.count("tinyllm_cache_coalesced_total", "cache_type", "redis");
      // every call looked up once; every miss (and only a miss) that did not wait for an identical
      // one reached the model, and succeeded
      assertThat(hits + misses).isEqualTo(calls.get());
      assertThat(s.count("tinyllm_requests_total")).isEqualTo(misses - coalesced);
      assertThat(s.count("tinyllm_request_outcomes_total", "outcome", "success"))
          .isEqualTo(misses - coalesced);
      assertThat(s.count("tinyllm_cache_errors_total", "cache_type", "redis", "operation", "get"))
          .isPositive();
      assertThat(s.count("tinyllm_queue_outcomes_total", "outcome", "completed"))
          .isEqualTo(calls.get());
    }
  }

  private static long hits(ReliabilityAccess.App app) {
    return scrape(app).count("tinyllm_cache_hits_total", "cache_type", "redis");
  }

  private static long cacheErrors(ReliabilityAccess.App app) {
    return scrape(app).count("tinyllm_cache_errors_total", "cache_type", "redis");
  }
}
