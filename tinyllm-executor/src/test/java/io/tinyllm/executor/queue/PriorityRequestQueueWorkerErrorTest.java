package io.tinyllm.executor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.metrics.testing.Exposition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An {@link Error} thrown by a request fails that request, then ends its worker as in {@link
 * java.util.concurrent.ThreadPoolExecutor}: the error reaches the thread's uncaught-exception
 * handler, the death is counted, and a new worker keeps the queue at {@code queue.workers}.
 */
class PriorityRequestQueueWorkerErrorTest {
  private static final long LIMIT_SECONDS = 10;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final QueueMetrics metrics = new QueueMetrics();

  PriorityRequestQueueWorkerErrorTest() {
    metrics.collectors().forEach(registry::register);
  }

  @Test
  void anErrorFailsItsRequestEndsItsWorkerAndANewWorkerTakesItsPlace() throws Exception {
    PriorityRequestQueue queue =
        new PriorityRequestQueue(
            QueueConfig.from(Settings.of(Map.of("queue.workers", "2"))),
            metrics,
            new RejectBackpressure());
    Error error = new FatalToTheWorker();
    AtomicReference<Thread> victim = new AtomicReference<>();
    AtomicReference<Throwable> uncaught = new AtomicReference<>();
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, thrown) -> {
          if (thread == victim.get()) {
            uncaught.set(thrown);
          }
        });
    try {
      CompletableFuture<String> fatal =
          queue.submit(
              Priority.NORMAL,
              () -> {
                victim.set(Thread.currentThread());
                throw error;
              });

      assertThat(fatal)
          .failsWithin(Duration.ofSeconds(LIMIT_SECONDS))
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isSameAs(error);
      victim.get().join(TimeUnit.SECONDS.toMillis(LIMIT_SECONDS));
      assertThat(victim.get().isAlive()).isFalse();
      assertThat(uncaught.get()).isSameAs(error);
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }

    // two requests that finish only together: two workers still run side by side
    CountDownLatch both = new CountDownLatch(2);
    List<CompletableFuture<String>> pair =
        List.of(
            queue.submit(Priority.NORMAL, () -> meet(both)),
            queue.submit(Priority.NORMAL, () -> meet(both)));
    List<String> workers =
        List.of(
            pair.get(0).get(LIMIT_SECONDS * 2, TimeUnit.SECONDS),
            pair.get(1).get(LIMIT_SECONDS * 2, TimeUnit.SECONDS));

    assertThat(workers)
        .doesNotContain(victim.get().getName())
        .contains("tinyllm-queue-worker-3")
        .allMatch(name -> name.startsWith("tinyllm-queue-worker-"));
    assertThat(queue.shutdownAndReport(Duration.ofSeconds(5)))
        .isEqualTo(new ShutdownReport(0, 0, true));
    assertThat(metrics.count(Priority.NORMAL, QueueOutcome.FAILED)).isEqualTo(1);
    assertThat(metrics.count(Priority.NORMAL, QueueOutcome.COMPLETED)).isEqualTo(2);
    assertThat(
            Exposition.text(
                registry, "tinyllm_queue_worker_deaths", "tinyllm_queue_active_workers"))
        .isEqualTo(
            """
            # HELP tinyllm_queue_active_workers Workers running a request now
            # TYPE tinyllm_queue_active_workers gauge
            tinyllm_queue_active_workers 0.0
            # HELP tinyllm_queue_worker_deaths_total Workers ended by an Error a request threw; each is replaced
            # TYPE tinyllm_queue_worker_deaths_total counter
            tinyllm_queue_worker_deaths_total 1.0
            """);
  }

  @Test
  void aWorkerThatDiesWhileTheQueueDrainsIsReplacedUntilItIsEmpty() throws Exception {
    // a submitter blocked on the full queue is woken and turned away when shutdown begins
    QueueConfig config =
        QueueConfig.from(
            Settings.of(
                Map.of(
                    "queue.workers", "1",
                    "queue.max-size", "1",
                    "queue.backpressure", "block",
                    "queue.block-timeout", LIMIT_SECONDS * 3 + "s",
                    "queue.task-timeout", "0")));
    PriorityRequestQueue queue =
        new PriorityRequestQueue(config, metrics, new BlockBackpressure(config));
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((thread, thrown) -> {});
    try {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch turnedAway = new CountDownLatch(1);
      CompletableFuture<String> fatal =
          queue.submit(
              Priority.HIGH,
              () -> {
                started.countDown();
                // the worker dies once the queue is shutting down, with a request still to drain
                turnedAway.await(LIMIT_SECONDS, TimeUnit.SECONDS);
                throw new FatalToTheWorker();
              });
      assertThat(started.await(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<String> queued = queue.submit(Priority.LOW, () -> "drained");
      // the queue is full: this submitter blocks until the shutdown wakes and turns it away
      CompletableFuture<String> refused =
          CompletableFuture.supplyAsync(() -> queue.submit(Priority.LOW, () -> "refused"))
              .thenCompose(submitted -> submitted);
      // a dependent runs once the future is complete: when the worker wakes, it is
      refused.whenComplete((value, error) -> turnedAway.countDown());

      CompletableFuture<ShutdownReport> report =
          CompletableFuture.supplyAsync(
              () -> queue.shutdownAndReport(Duration.ofSeconds(LIMIT_SECONDS * 2)));

      assertThat(report.get(LIMIT_SECONDS * 3, TimeUnit.SECONDS))
          .isEqualTo(new ShutdownReport(1, 0, true));
      assertThat(fatal).isCompletedExceptionally();
      assertThat(queued).isCompletedWithValue("drained");
      assertThat(refused)
          .isCompletedExceptionally()
          .failsWithin(Duration.ZERO)
          .withThrowableOfType(ExecutionException.class)
          .withMessageContaining("Request queue is shut down");
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }
    assertThat(Exposition.text(registry, "tinyllm_queue_worker_deaths"))
        .endsWith("tinyllm_queue_worker_deaths_total 1.0\n");
  }

  private static String meet(CountDownLatch both) throws InterruptedException {
    both.countDown();
    if (!both.await(LIMIT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the other request never ran alongside");
    }
    return Thread.currentThread().getName();
  }

  /** An {@link Error} a request throws; no stack trace, it is expected. */
  private static final class FatalToTheWorker extends Error {
    private static final long serialVersionUID = 1L;

    FatalToTheWorker() {
      super("fatal to the worker", null, false, false);
    }
  }
}
