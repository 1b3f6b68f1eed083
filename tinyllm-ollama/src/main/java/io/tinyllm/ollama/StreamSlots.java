package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.RateLimitedException;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.api.llm.ToolCall;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client's limit on live streams ({@value OllamaConfig#STREAMS_MAX_CONCURRENT}): each live
 * stream holds one slot and one thread. A stream over the limit fails at once with a {@link
 * RateLimitedException} rather than waiting in a queue: a stream holds its thread for as long as
 * the model talks, so a queue here would only move the unbounded growth somewhere less visible, and
 * callers that want to wait (the request queue, with its priorities) already queue before the
 * client.
 *
 * <p>A slot is freed just before the stream's {@code onComplete} or {@code onError} is called, so a
 * stream started from that callback, or right after {@code completion()} completes, finds it free.
 * The limit is applied here rather than by the thread pool because a pool counts the ended stream's
 * thread as busy until it has finished delivering those callbacks.
 */
final class StreamSlots {
  private final int max;
  private final Semaphore free;

  StreamSlots(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive: " + max);
    }
    this.max = max;
    this.free = new Semaphore(max);
  }

  /** A slot for one stream, reporting to {@code listener}; not yet taken. */
  Slot slot(StreamListener listener) {
    return new Slot(requireNonNull(listener, "listener is null"));
  }

  /** The error of a stream started while every slot is taken. */
  RateLimitedException exhausted(String model) {
    return new RateLimitedException(
        "The stream from model '"
            + model
            + "' was refused: this client already runs "
            + max
            + " streams, its limit ("
            + OllamaConfig.STREAMS_MAX_CONCURRENT
            + "); wait for one to end or raise the limit");
  }

  /** The listener of one stream: frees the stream's slot, if it took one, as the stream ends. */
  final class Slot implements StreamListener {
    private final StreamListener listener;
    private final AtomicBoolean held = new AtomicBoolean();

    private Slot(StreamListener listener) {
      this.listener = listener;
    }

    /** Takes a free slot; {@code false} if there is none. */
    boolean tryAcquire() {
      if (!free.tryAcquire()) {
        return false;
      }
      held.set(true);
      return true;
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
      release();
      listener.onComplete(response);
    }

    @Override
    public void onError(LlmException error) {
      release();
      listener.onError(error);
    }

    private void release() {
      if (held.compareAndSet(true, false)) {
        free.release();
      }
    }
  }
}
