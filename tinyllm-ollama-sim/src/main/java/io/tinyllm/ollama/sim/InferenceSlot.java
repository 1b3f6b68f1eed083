package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * One inference request's hold on the server: a runner of its model from the {@link Scheduler},
 * then one of that runner's parallel slots. It is released before the final chunk is written (and
 * again, harmlessly, when the request ends), so a client that sends its next request as soon as it
 * reads {@code "done": true} finds the slot free and the keep-alive already applied.
 */
final class InferenceSlot {
  private final SimulatorContext ctx;
  private final Scheduler.Runner runner;
  private final long loadedAt;
  private final boolean holdsSlot;
  private boolean released;

  private InferenceSlot(
      SimulatorContext ctx, Scheduler.Runner runner, long loadedAt, boolean holdsSlot) {
    this.ctx = ctx;
    this.runner = runner;
    this.loadedAt = loadedAt;
    this.holdsSlot = holdsSlot;
  }

  /**
   * Gets a runner (loading the model if needed), then waits for a free slot of it.
   *
   * @param keepAlive the request's keep-alive, or null to keep the runner's
   * @param evaluates false for a request that only loads the model (empty prompt or messages): as
   *     in Ollama, it gets the runner but never waits for a slot
   * @throws ApiException 503 when the scheduler's pending queue is full
   */
  static InferenceSlot open(
      SimulatorContext ctx,
      SimulatedModel model,
      RunnerOptions options,
      Duration keepAlive,
      boolean evaluates) {
    requireNonNull(ctx, "ctx is null");
    requireNonNull(model, "model is null");
    requireNonNull(options, "options is null");
    ctx.stats.enter();
    Scheduler.Runner runner;
    try {
      runner = ctx.scheduler.acquire(model, options, keepAlive);
    } catch (RuntimeException e) {
      ctx.stats.leave();
      if (e instanceof ApiException api && api.status() == 503) {
        ctx.stats.recordBusy();
      }
      throw e;
    }
    // load_duration ends here (checkpointLoaded, Ollama v0.13.5 server/routes.go); the slot wait
    // that follows is not load
    long loadedAt = System.nanoTime();
    if (!evaluates) {
      return new InferenceSlot(ctx, runner, loadedAt, false);
    }
    try {
      ctx.pacer.acquire(runner.slots());
    } catch (RuntimeException e) {
      ctx.scheduler.release(runner);
      ctx.stats.leave();
      throw e;
    }
    ctx.stats.startRunning();
    return new InferenceSlot(ctx, runner, loadedAt, true);
  }

  /** When the request got its runner ({@link System#nanoTime()}), before waiting for a slot. */
  long loadedAt() {
    return loadedAt;
  }

  /** How many leading tokens of {@code tokens} the runner's prompt cache holds. */
  int cachedPrefix(List<String> tokens) {
    return runner.cachedPrefix(tokens);
  }

  /** Records what the slot's cache holds after this request. */
  void remember(List<String> tokens) {
    runner.remember(tokens);
  }

  /** Frees the slot and ends the use of the runner (starting its keep-alive); idempotent. */
  void release() {
    if (!released) {
      released = true;
      if (holdsSlot) {
        ctx.stats.stopRunning(); // before the slot is free, so the gauge never counts it twice
        runner.slots().release();
      }
      try {
        ctx.scheduler.release(runner);
      } finally {
        ctx.stats.leave();
      }
    }
  }
}
