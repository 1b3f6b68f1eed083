package io.tinyllm.cli.reliability;

import static io.tinyllm.cli.reliability.Fixtures.request;
import static io.tinyllm.cli.reliability.Fixtures.scrape;
import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.metrics.testing.RedisServerProcess;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** A Redis that is up is no outage: concurrent first lookups wait for the one connection. */
class RedisFirstUseTest {
  @Test
  void concurrentFirstLookupsAgainstAHealthyRedisAreNotErrors() throws Exception {
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
                    // what is under test is the wait for the one connection, not how fast a cold
                    // JVM connects: on a loaded machine that can take longer than the default
                    // 250 ms, and a connect that times out is (rightly) an error
                    "cache.redis.timeout",
                    "10s"))) {
      LlmClient client = app.get(LlmClient.class);
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      // a lookup that throws must fail the test, not just end its thread with a stack trace
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      List<String> answers = new CopyOnWriteArrayList<>();
      for (int t = 0; t < 8; t++) {
        int id = t;
        Thread thread =
            new Thread(
                () -> {
                  try {
                    go.await();
                    answers.add(client.generate(request("first use " + id)).text());
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        thread.start();
        threads.add(thread);
      }
      go.countDown();
      for (Thread thread : threads) {
        thread.join(Fixtures.WAIT.toMillis());
        assertThat(thread.isAlive()).as("%s still running", thread.getName()).isFalse();
      }
      assertThat(failures).isEmpty();
      assertThat(answers).hasSize(8);
      assertThat(scrape(app).count("tinyllm_cache_errors_total")).isZero();
    }
  }
}
