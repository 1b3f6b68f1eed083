package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One inference request's hold on the server: an admission slot and a use of its model. It is
 * released before the final chunk is written (and again, harmlessly, when the request ends), so a
 * client that sends its next request as soon as it reads {@code "done": true} finds the slot free
 * and the keep-alive already applied.
 */
final class InferenceSlot {
  private final SimulatorContext ctx;
  private final SimulatedModel model;
  private final Duration keepAlive;
  private boolean released;

  private InferenceSlot(SimulatorContext ctx, SimulatedModel model, Duration keepAlive) {
    this.ctx = ctx;
    this.model = model;
    this.keepAlive = keepAlive;
  }

  /**
   * Admits the request (503 when full) and loads the model if needed, sleeping its load time.
   *
   * @throws ApiException 503 when too many requests are running or queued
   */
  static InferenceSlot open(
      SimulatorContext ctx, SimulatedModel model, int numCtx, Duration keepAlive) {
    requireNonNull(ctx, "ctx is null");
    requireNonNull(model, "model is null");
    requireNonNull(keepAlive, "keepAlive is null");
    ctx.enter();
    try {
      ctx.registry.acquire(model, numCtx, ctx.pacer);
    } catch (RuntimeException e) {
      ctx.leave();
      throw e;
    }
    return new InferenceSlot(ctx, model, keepAlive);
  }

  /** Ends the model use (applying the keep-alive) and frees the admission slot; idempotent. */
  void release() {
    if (!released) {
      released = true;
      try {
        ctx.registry.release(model, keepAlive);
      } finally {
        ctx.leave();
      }
    }
  }
}
