package io.tinyllm.api.llm;

import io.tinyllm.api.error.LlmException;

/**
 * Receives a streamed answer. Exactly one of {@link #onComplete} or {@link #onError} is called
 * last, once; {@link #onToken} is never called after it. Callbacks run on a client thread and
 * should return quickly.
 */
public interface StreamListener {
  /** A piece of the answer, in order. */
  void onToken(String token);

  /** A piece of the model's thinking, when thinking was asked for. */
  default void onThinking(String thinking) {}

  /** The stream ended with its final chunk. */
  default void onComplete(LlmResponse response) {}

  /** The stream failed or was cancelled. */
  default void onError(LlmException error) {}
}
