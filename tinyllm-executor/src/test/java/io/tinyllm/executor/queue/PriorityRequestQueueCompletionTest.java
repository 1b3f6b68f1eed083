package io.tinyllm.executor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.QueueRejectedException;
import io.tinyllm.api.queue.Priority;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whoever ends a request — worker, submitter, shutdown or timer — completes its future holding
 * neither the queue's lock nor the request's monitor: the caller's dependent stages run there, and
 * one that needs the queue (here: another thread asks for its size) must not wait on it.
 */
class PriorityRequestQueueCompletionTest {
  private static final long LIMIT_SECONDS = 10;

  private final QueueMetrics metrics = new QueueMetrics();
  private final ExecutorService probes = Executors.newSingleThreadExecutor();
  private PriorityRequestQueue queue;

  @AfterEach
  void stop() {
    if (queue != null) {
      queue.shutdown(Duration.ofSeconds(5));
    }
    probes.shutdownNow();
  }

  /** What a dependent stage saw on the thread that completed its request. */
  private record Seen(
      String thread, boolean queueLockHeld, boolean jobMonitorHeld, boolean queueUsableMeanwhile) {}

  @Test
  void completedByItsWorker() throws Exception {
    queue = queue(Map.of("queue.workers", "1"));
    Tracked<String> job = track(Priority.HIGH, () -> "done");

    assertOutsideLocks(job, "tinyllm-queue-worker-");
    assertThat(job.future().get()).isEqualTo("done");
    assertThat(metrics.count(Priority.HIGH, QueueOutcome.COMPLETED)).isEqualTo(1);
  }

  @Test
  void failedByItsWorker() throws Exception {
    queue = queue(Map.of("queue.workers", "1"));
    Tracked<String> job =
        track(
            Priority.NORMAL,
            () -> {
              throw new IllegalStateException("no answer");
            });

    assertOutsideLocks(job, "tinyllm-queue-worker-");
    assertFailsWith(job, IllegalStateException.class);
    assertThat(metrics.count(Priority.NORMAL, QueueOutcome.FAILED)).isEqualTo(1);
  }

  @Test
  void failedWithAnErrorByItsWorker() throws Exception {
    queue = queue(Map.of("queue.workers", "1"));
    Tracked<String> job =
        track(
            Priority.NORMAL,
            () -> {
              throw new ErrorOfTheRequest();
            });

    assertOutsideLocks(job, "tinyllm-queue-worker-");
    assertFailsWith(job, ErrorOfTheRequest.class);
  }

  @Test
  void cancelledByItsCaller() throws Exception {
    queue = queue(Map.of("queue.workers", "1", "queue.task-timeout", "0"));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Tracked<Boolean> job =
        track(
            Priority.LOW,
            () -> {
              started.countDown();
              return release.await(LIMIT_SECONDS, TimeUnit.SECONDS);
            });
    assertThat(started.await(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    assertThat(job.future().cancel(true)).isTrue();
    release.countDown();

    assertOutsideLocks(job, Thread.currentThread().getName());
    assertThat(job.future()).isCancelled();
    // the request ends once, as failed, although it went on to finish
    assertThat(queue.submit(Priority.LOW, () -> "next").get(LIMIT_SECONDS, TimeUnit.SECONDS))
        .isEqualTo("next");
    assertThat(metrics.count(Priority.LOW, QueueOutcome.FAILED)).isEqualTo(1);
    assertThat(metrics.count(Priority.LOW, QueueOutcome.COMPLETED)).isEqualTo(1);
  }

  @Test
  void cancellingARunningRequestWithInterruptInterruptsIt() throws Exception {
    queue = queue(Map.of("queue.workers", "1", "queue.task-timeout", "0"));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    CompletableFuture<Boolean> running =
        queue.submit(
            Priority.LOW,
            () -> {
              started.countDown();
              try {
                return new CountDownLatch(1).await(LIMIT_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
              }
            });
    assertThat(started.await(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    assertThat(running.cancel(true)).isTrue();

    assertThat(interrupted.await(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    // the worker is free for the next request, which is not interrupted
    assertThat(queue.submit(Priority.LOW, () -> "next").get(LIMIT_SECONDS, TimeUnit.SECONDS))
        .isEqualTo("next");
    assertThat(metrics.count(Priority.LOW, QueueOutcome.FAILED)).isEqualTo(1);
  }

  @Test
  void aRequestCancelledWhileWaitingDoesNotRun() throws Exception {
    queue = queue(Map.of("queue.workers", "1", "queue.task-timeout", "0"));
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Boolean> busy =
        queue.submit(Priority.HIGH, () -> release.await(LIMIT_SECONDS, TimeUnit.SECONDS));
    AtomicReference<String> ran = new AtomicReference<>();
    CompletableFuture<String> waiting =
        queue.submit(
            Priority.HIGH,
            () -> {
              ran.set("ran");
              return "ran";
            });

    assertThat(waiting.cancel(false)).isTrue();
    release.countDown();

    assertThat(busy.get(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(queue.submit(Priority.HIGH, () -> "after").get(LIMIT_SECONDS, TimeUnit.SECONDS))
        .isEqualTo("after");
    assertThat(ran.get()).isNull();
    assertThat(metrics.count(Priority.HIGH, QueueOutcome.FAILED)).isEqualTo(1);
    assertThat(metrics.count(Priority.HIGH, QueueOutcome.COMPLETED)).isEqualTo(2);
  }

  @Test
  void failedWhenShutdownInterruptsIt() throws Exception {
    queue = queue(Map.of("queue.workers", "1", "queue.task-timeout", "0"));
    CountDownLatch started = new CountDownLatch(1);
    Tracked<Boolean> job =
        track(
            Priority.NORMAL,
            () -> {
              started.countDown();
              return new CountDownLatch(1).await(LIMIT_SECONDS * 2, TimeUnit.SECONDS);
            });
    assertThat(started.await(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();

    ShutdownReport report = queue.shutdownAndReport(Duration.ofMillis(1));

    assertThat(report.terminated()).isTrue();
    assertOutsideLocks(job, "tinyllm-queue-worker-");
    assertFailsWith(job, InterruptedException.class);
  }

  @Test
  void timedOutByTheTimer() throws Exception {
    queue = queue(Map.of("queue.workers", "1", "queue.task-timeout", "20ms"));
    Tracked<Boolean> job =
        track(
            Priority.NORMAL,
            () -> new CountDownLatch(1).await(LIMIT_SECONDS * 2, TimeUnit.SECONDS));

    assertOutsideLocks(job, "tinyllm-queue-timer");
    assertFailsWith(job, TimeoutException.class);
    assertThat(metrics.count(Priority.NORMAL, QueueOutcome.TIMED_OUT)).isEqualTo(1);
  }

  @Test
  void timedOutWaitingByTheWorker() throws Exception {
    AtomicLong clock = new AtomicLong();
    QueueConfig config =
        QueueConfig.from(Settings.of(Map.of("queue.workers", "1", "queue.max-wait", "500ms")));
    queue = new PriorityRequestQueue(config, metrics, new RejectBackpressure(), clock::get);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    queue.submit(
        Priority.HIGH,
        () -> {
          started.countDown();
          return release.await(LIMIT_SECONDS, TimeUnit.SECONDS);
        });
    assertThat(started.await(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    Tracked<String> job = track(Priority.LOW, () -> "too late");
    // the request waits longer than queue.max-wait on the queue's clock
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(600));
    release.countDown();

    assertOutsideLocks(job, "tinyllm-queue-worker-");
    assertFailsWith(job, TimeoutException.class);
    assertThat(metrics.count(Priority.LOW, QueueOutcome.TIMED_OUT)).isEqualTo(1);
  }

  @Test
  void rejectedAtOnceWhenFull() throws Exception {
    queue = queue(Map.of("queue.workers", "1", "queue.max-size", "1"));
    fillTheQueue();
    Tracked<String> job = track(Priority.HIGH, () -> "no room");

    assertOutsideLocks(job, Thread.currentThread().getName());
    assertFailsWith(job, QueueRejectedException.class);
  }

  @Test
  void rejectedAfterBlockingWhenFull() throws Exception {
    queue =
        queue(
            Map.of(
                "queue.workers", "1",
                "queue.max-size", "1",
                "queue.backpressure", "block",
                "queue.block-timeout", "10ms"));
    fillTheQueue();
    Tracked<String> job = track(Priority.HIGH, () -> "no room");

    assertOutsideLocks(job, Thread.currentThread().getName());
    assertFailsWith(job, QueueRejectedException.class);
  }

  @Test
  void rejectedWhenShutDown() throws Exception {
    queue = queue(Map.of("queue.workers", "1"));
    queue.shutdown(Duration.ofSeconds(5));
    Tracked<String> job = track(Priority.HIGH, () -> "too late");

    assertOutsideLocks(job, Thread.currentThread().getName());
    assertFailsWith(job, QueueRejectedException.class);
  }

  @Test
  void droppedUnrunAtShutdown() throws Exception {
    queue = queue(Map.of("queue.workers", "1", "queue.task-timeout", "0"));
    fillTheQueue();
    Tracked<String> job = track(Priority.LOW, () -> "never");

    ShutdownReport report = queue.shutdownAndReport(Duration.ofMillis(1));

    assertThat(report.dropped()).isEqualTo(2);
    assertOutsideLocks(job, Thread.currentThread().getName());
    assertFailsWith(job, QueueRejectedException.class);
  }

  // ---- helpers

  private PriorityRequestQueue queue(Map<String, String> settings) {
    QueueConfig config = QueueConfig.from(Settings.of(settings));
    Backpressure policy =
        config.backpressure().equals(BlockBackpressure.NAME)
            ? new BlockBackpressure(config)
            : new RejectBackpressure();
    return new PriorityRequestQueue(config, metrics, policy);
  }

  /** The single worker busy until the test ends, and one request waiting behind it. */
  private void fillTheQueue() throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    queue.submit(
        Priority.HIGH,
        () -> {
          started.countDown();
          return new CountDownLatch(1).await(LIMIT_SECONDS * 2, TimeUnit.SECONDS);
        });
    assertThat(started.await(LIMIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    queue.submit(Priority.HIGH, () -> "waiting");
    assertThat(queue.size()).isEqualTo(1);
  }

  private record Tracked<T>(CompletableFuture<T> future, CompletableFuture<Seen> seen) {}

  /** Submits {@code task} with a dependent stage attached before the request can end. */
  private <T> Tracked<T> track(Priority priority, Callable<T> task) {
    AtomicReference<CompletableFuture<Seen>> seen = new AtomicReference<>();
    QueuedJob<T> job =
        queue.enqueue(
            priority, task, created -> seen.set(created.future.handle((v, e) -> look(created))));
    return new Tracked<>(job.future, seen.get());
  }

  private Seen look(QueuedJob<?> job) {
    boolean usable;
    Future<Integer> size = probes.submit(queue::size);
    try {
      size.get(LIMIT_SECONDS, TimeUnit.SECONDS);
      usable = true;
    } catch (TimeoutException e) {
      usable = false;
    } catch (Exception e) {
      throw new AssertionError("the probe failed", e);
    }
    return new Seen(
        Thread.currentThread().getName(),
        queue.lockHeldByCurrentThread(),
        Thread.holdsLock(job),
        usable);
  }

  private static void assertOutsideLocks(Tracked<?> job, String threadPrefix) throws Exception {
    Seen seen = job.seen().get(LIMIT_SECONDS * 3, TimeUnit.SECONDS);
    assertThat(seen.thread()).startsWith(threadPrefix);
    assertThat(seen)
        .extracting(Seen::queueLockHeld, Seen::jobMonitorHeld, Seen::queueUsableMeanwhile)
        .as("queue lock held, request monitor held, queue usable meanwhile")
        .containsExactly(false, false, true);
  }

  private static void assertFailsWith(Tracked<?> job, Class<? extends Throwable> type) {
    assertThat(job.future()).isCompletedExceptionally();
    try {
      job.future().getNow(null);
    } catch (CancellationException e) {
      throw new AssertionError("cancelled, expected " + type.getSimpleName(), e);
    } catch (java.util.concurrent.CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(type);
    }
  }

  /** An {@link Error} a request throws. */
  private static final class ErrorOfTheRequest extends Error {
    private static final long serialVersionUID = 1L;

    ErrorOfTheRequest() {
      super("a request's error", null, false, false);
    }
  }
}
