package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.api.llm.ToolCall;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Passes a model's stream through to the caller's listener and hands the final response to {@code
 * store} before the caller sees {@code onComplete}, so a request made after completion finds it. A
 * stream that errs or is cancelled stores nothing.
 */
final class StoringStreamListener implements StreamListener {
  private final StreamListener listener;
  private final Consumer<LlmResponse> store;
  private final CompletableFuture<LlmResponse> completion = new CompletableFuture<>();

  StoringStreamListener(StreamListener listener, Consumer<LlmResponse> store) {
    this.listener = requireNonNull(listener, "listener is null");
    this.store = requireNonNull(store, "store is null");
  }

  /** A handle that cancels {@code upstream} and completes once this listener has stored. */
  StreamHandle attach(StreamHandle upstream) {
    requireNonNull(upstream, "upstream is null");
    // should the upstream end without calling its listener, still end ours
    upstream
        .completion()
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                completion.completeExceptionally(error);
              }
            });
    return new StreamHandle() {
      @Override
      public void cancel() {
        upstream.cancel();
      }

      @Override
      public CompletableFuture<LlmResponse> completion() {
        return completion;
      }
    };
  }

  @Override
  public void onToken(String token) {
    listener.onToken(token);
  }

  @Override
  public void onThinking(String thinking) {
    listener.onThinking(thinking);
  }

  @Override
  public void onToolCalls(List<ToolCall> toolCalls) {
    listener.onToolCalls(toolCalls);
  }

  @Override
  public void onLogprobs(List<Logprob> logprobs) {
    listener.onLogprobs(logprobs);
  }

  @Override
  public void onComplete(LlmResponse response) {
    try {
      store.accept(response);
    } finally {
      try {
        listener.onComplete(response);
      } finally {
        completion.complete(response);
      }
    }
  }

  @Override
  public void onError(LlmException error) {
    try {
      listener.onError(error);
    } finally {
      completion.completeExceptionally(error);
    }
  }
}
