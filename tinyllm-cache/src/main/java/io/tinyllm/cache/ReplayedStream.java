package io.tinyllm.cache;

import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A cached answer played to a stream listener as if the model were sending it. */
final class ReplayedStream implements StreamHandle {
  private final CompletableFuture<LlmResponse> completion;

  private ReplayedStream(CompletableFuture<LlmResponse> completion) {
    this.completion = completion;
  }

  /**
   * Plays {@code response} to {@code listener} on the calling thread — thinking, answer pieces,
   * tool calls and log probabilities (each in one call), completion — and returns the already
   * finished handle.
   */
  static StreamHandle replay(LlmResponse response, StreamListener listener) {
    if (response.thinking() != null && !response.thinking().isEmpty()) {
      listener.onThinking(response.thinking());
    }
    for (String piece : pieces(response.text())) {
      listener.onToken(piece);
    }
    if (!response.toolCalls().isEmpty()) {
      listener.onToolCalls(response.toolCalls());
    }
    if (!response.logprobs().isEmpty()) {
      listener.onLogprobs(response.logprobs());
    }
    listener.onComplete(response);
    return new ReplayedStream(CompletableFuture.completedFuture(response));
  }

  /**
   * {@code text} cut after each run of whitespace, so pieces look like the word-sized tokens a
   * model streams and join back to exactly {@code text}.
   */
  static List<String> pieces(String text) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < text.length()) {
      if (Character.isWhitespace(text.charAt(i))) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
          i++;
        }
        pieces.add(text.substring(start, i));
        start = i;
      } else {
        i++;
      }
    }
    if (start < text.length()) {
      pieces.add(text.substring(start));
    }
    return pieces;
  }

  /** Nothing to stop: the stream ended before the handle was returned. */
  @Override
  public void cancel() {}

  @Override
  public CompletableFuture<LlmResponse> completion() {
    return completion;
  }
}
