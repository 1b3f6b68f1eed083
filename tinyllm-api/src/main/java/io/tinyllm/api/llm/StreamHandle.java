package io.tinyllm.api.llm;

import java.util.concurrent.CompletableFuture;

/** A running streamed call: cancel it, or wait for its outcome. */
public interface StreamHandle {
  /**
   * Stops the stream; the listener's {@link StreamListener#onError} receives a {@link
   * io.tinyllm.api.error.CancelledException} unless the stream had already ended.
   */
  void cancel();

  /**
   * Completes with the final response, or exceptionally with the {@link
   * io.tinyllm.api.error.LlmException} the listener received.
   */
  CompletableFuture<LlmResponse> completion();
}
