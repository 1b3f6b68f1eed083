package io.tinyllm.executor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.QueueRejectedException;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.metrics.testing.Exposition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PriorityRequestQueueTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final QueueMetrics metrics = new QueueMetrics();

  PriorityRequestQueueTest() {
    metrics.collectors().forEach(registry::register);
  }

  private PriorityRequestQueue queue(Map<String, String> settings) {
    QueueConfig config = QueueConfig.from(Settings.of(settings));
    Backpressure policy =
        config.backpressure().equals("block")
            ? new BlockBackpressure(config)
            : new RejectBackpressure();
    return new PriorityRequestQueue(config, metrics, policy);
  }

  @Test
  void highBeforeNormalBeforeLowAndFifoWithinAPriority() throws Exception {
    PriorityRequestQueue queue = queue(Map.of("queue.workers", "1"));
    CountDownLatch hold = new CountDownLatch(1);
    CountDownLatch busy = new CountDownLatch(1);
    queue.submit(
        Priority.NORMAL,
        () -> {
          busy.countDown();
          return hold.await(10, TimeUnit.SECONDS);
        });
    assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
    List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    for (String name : List.of("low1", "normal1", "high1", "low2", "high2", "normal2")) {
      Priority p = Priority.valueOf(name.replaceAll("\\d", "").toUpperCase(java.util.Locale.ROOT));
      all.add(queue.submit(p, () -> order.add(name)));
    }
    assertThat(queue.size()).isEqualTo(6);
    hold.countDown();
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

    assertThat(order).containsExactly("high1", "high2", "normal1", "normal2", "low1", "low2");
    assertThat(queue.shutdownAndReport(Duration.ofSeconds(5)))
        .isEqualTo(new ShutdownReport(0, 0, true));
    assertThat(Exposition.text(registry, "tinyllm_queue_size", "tinyllm_queue_requests"))
        .isEqualTo(
            """
            # HELP tinyllm_queue_requests_total Requests submitted, by priority, rejected ones included
            # TYPE tinyllm_queue_requests_total counter
            tinyllm_queue_requests_total{priority="high"} 2.0
            tinyllm_queue_requests_total{priority="low"} 2.0
            tinyllm_queue_requests_total{priority="normal"} 3.0
            # HELP tinyllm_queue_size Requests waiting, by priority (high, normal, low) and in all
            # TYPE tinyllm_queue_size gauge
            tinyllm_queue_size{priority="all"} 0.0
            tinyllm_queue_size{priority="high"} 0.0
            tinyllm_queue_size{priority="low"} 0.0
            tinyllm_queue_size{priority="normal"} 0.0
            """);
    String wait = Exposition.text(registry, "tinyllm_queue_wait_time_seconds");
    assertThat(wait)
        .contains("tinyllm_queue_wait_time_seconds_bucket{priority=\"high\",le=\"0.001\"}")
        .contains("le=\"60.0\"")
        .contains("tinyllm_queue_wait_time_seconds_count{priority=\"high\"} 2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"reject", "block"})
  void everyRequestEndsExactlyOnceUnderLoad(String backpressure) throws Exception {
    PriorityRequestQueue queue =
        queue(
            Map.of(
                "queue.workers", "3",
                "queue.max-size", "8",
                "queue.backpressure", backpressure,
                "queue.block-timeout", "5ms",
                "queue.task-timeout", "50ms"));
    int producers = 6;
    int perProducer = 500;
    List<CompletableFuture<Integer>> futures =
        java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger seq = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < perProducer; i++) {
                  int n = seq.incrementAndGet();
                  Priority priority = Priority.values()[n % 3];
                  futures.add(
                      queue.submit(
                          priority,
                          () -> {
                            if (n % 97 == 0) {
                              Thread.sleep(5_000); // ends timed out
                            }
                            if (n % 13 == 0) {
                              throw new IllegalStateException("boom " + n);
                            }
                            return n;
                          }));
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(60_000);
    }
    ShutdownReport report = queue.shutdownAndReport(Duration.ofSeconds(30));
    assertThat(report.terminated()).isTrue();

    int completed = 0;
    int failed = 0;
    int timedOut = 0;
    int rejected = 0;
    for (CompletableFuture<Integer> f : futures) {
      assertThat(f).isDone();
      try {
        f.getNow(null);
        completed++;
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof QueueRejectedException) {
          rejected++;
        } else if (e.getCause() instanceof TimeoutException) {
          timedOut++;
        } else {
          failed++;
        }
      }
    }
    int submitted = producers * perProducer;
    assertThat(futures).hasSize(submitted);
    assertThat(completed + failed + timedOut + rejected).isEqualTo(submitted);
    assertThat(sum(QueueOutcome.COMPLETED)).isEqualTo(completed);
    assertThat(sum(QueueOutcome.FAILED)).isEqualTo(failed);
    assertThat(sum(QueueOutcome.TIMED_OUT)).isEqualTo(timedOut);
    assertThat(sum(QueueOutcome.REJECTED)).isEqualTo(rejected);
    assertThat(completed).isPositive();
    String text =
        Exposition.text(
            registry,
            "tinyllm_queue_requests_rejected",
            "tinyllm_queue_active_workers",
            "tinyllm_queue_size");
    assertThat(text)
        .contains("tinyllm_queue_requests_rejected_total " + (double) rejected)
        .contains("tinyllm_queue_active_workers 0.0")
        .contains("tinyllm_queue_size{priority=\"all\"} 0.0");
    String requests = Exposition.text(registry, "tinyllm_queue_requests");
    double total = 0;
    for (Priority p : Priority.values()) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("priority=\"" + p.label() + "\"} ([0-9.]+)")
              .matcher(requests);
      assertThat(m.find()).isTrue();
      total += Double.parseDouble(m.group(1));
    }
    assertThat(total).isEqualTo(submitted);
  }

  @Test
  void shutdownDropsWhatItCannotDrainAndRejectsNewWork() throws Exception {
    PriorityRequestQueue queue = queue(Map.of("queue.workers", "1", "queue.task-timeout", "0"));
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Object> running =
        queue.submit(
            Priority.HIGH,
            () -> {
              started.countDown();
              Thread.sleep(10_000);
              return "late";
            });
    CompletableFuture<String> waiting = queue.submit(Priority.LOW, () -> "never");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    ShutdownReport report = queue.shutdownAndReport(Duration.ofMillis(100));

    assertThat(report.dropped()).isEqualTo(1);
    assertThat(waiting).isCompletedExceptionally();
    assertThat(running).failsWithin(Duration.ofSeconds(10));
    assertThat(queue.submit(Priority.HIGH, () -> "x"))
        .failsWithin(Duration.ofSeconds(1))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(QueueRejectedException.class);
    assertThat(metrics.count(Priority.LOW, QueueOutcome.REJECTED)).isEqualTo(1);
    assertThat(metrics.count(Priority.HIGH, QueueOutcome.FAILED)).isEqualTo(1);
    assertThat(metrics.count(Priority.HIGH, QueueOutcome.REJECTED)).isEqualTo(1);
  }

  @Test
  void aRequestRunningPastTheTaskTimeoutEndsTimedOut() {
    PriorityRequestQueue queue = queue(Map.of("queue.workers", "1", "queue.task-timeout", "50ms"));
    CompletableFuture<String> slow =
        queue.submit(
            Priority.NORMAL,
            () -> {
              Thread.sleep(10_000);
              return "late";
            });
    assertThat(slow)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(TimeoutException.class);
    queue.shutdown(Duration.ofSeconds(5));
    assertThat(metrics.count(Priority.NORMAL, QueueOutcome.TIMED_OUT)).isEqualTo(1);
    assertThat(metrics.count(Priority.NORMAL, QueueOutcome.FAILED)).isZero();
  }

  @Test
  void finishedRequestsLeaveNoTimeoutAlarmBehind() throws Exception {
    PriorityRequestQueue queue = queue(Map.of("queue.workers", "2", "queue.task-timeout", "5m"));
    List<CompletableFuture<Integer>> done = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      int value = i;
      done.add(queue.submit(Priority.NORMAL, () -> value));
    }
    for (CompletableFuture<Integer> each : done) {
      each.get(10, TimeUnit.SECONDS);
    }

    // a cancelled alarm left in the timer would keep its request reachable for 5 minutes; a
    // worker cancels its alarm just after completing the future, so wait until both are idle
    assertThat(queue.awaitIdle(Duration.ofSeconds(10))).as("the workers went idle").isTrue();
    assertThat(queue.pendingAlarms()).isZero();
    queue.shutdown(Duration.ofSeconds(5));
    assertThat(metrics.count(Priority.NORMAL, QueueOutcome.COMPLETED)).isEqualTo(1_000);
  }

  @Test
  void awaitIdleIsWokenWhenTheLastRunningRequestEnds() throws Exception {
    PriorityRequestQueue queue = queue(Map.of("queue.workers", "2"));
    assertThat(queue.awaitIdle(Duration.ZERO)).as("no worker started yet").isTrue();
    CountDownLatch hold = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(2);
    List<CompletableFuture<Boolean>> held = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      held.add(
          queue.submit(
              Priority.NORMAL,
              () -> {
                running.countDown();
                return hold.await(10, TimeUnit.SECONDS);
              }));
    }
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(queue.awaitIdle(Duration.ofMillis(1))).as("both workers busy").isFalse();

    // a bound far beyond the test's: a waiter that returns true was woken
    CountDownLatch asleep = new CountDownLatch(1);
    queue.beforeIdleWait(asleep::countDown);
    CompletableFuture<Boolean> idle =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return queue.awaitIdle(Duration.ofDays(1));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
              }
            });
    assertThat(asleep.await(10, TimeUnit.SECONDS)).as("the waiter is asleep").isTrue();
    hold.countDown();

    assertThat(idle.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(held).allMatch(f -> f.getNow(false));
    queue.shutdown(Duration.ofSeconds(5));
  }

  private long sum(QueueOutcome outcome) {
    long total = 0;
    for (Priority p : Priority.values()) {
      total += metrics.count(p, outcome);
    }
    return total;
  }
}
