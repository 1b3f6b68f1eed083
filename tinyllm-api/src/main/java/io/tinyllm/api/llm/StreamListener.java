package io.tinyllm.api.llm;

import io.tinyllm.api.error.LlmException;
import java.util.List;

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

  /**
   * Tool calls the model asked for, as they arrive (Ollama sends them in one chunk before the final
   * one). The final response carries all of them too.
   */
  default void onToolCalls(List<ToolCall> toolCalls) {}

  /**
   * The log probabilities of the tokens of one chunk, when the request asked for them. The final
   * response carries all of them too.
   */
  default void onLogprobs(List<Logprob> logprobs) {}

  /** The stream ended with its final chunk. */
  default void onComplete(LlmResponse response) {}

  /** The stream failed or was cancelled. */
  default void onError(LlmException error) {}
}
