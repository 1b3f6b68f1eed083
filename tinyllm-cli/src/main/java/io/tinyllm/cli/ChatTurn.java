package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Sends one message and waits for its streamed answer, which {@link #cancel()} (Ctrl-C, or a stop
 * from any thread) ends at once. One per chat; turns run one after another.
 */
final class ChatTurn {
  /** How a turn ended. */
  enum Outcome {
    ANSWERED,
    CANCELLED,
    FAILED
  }

  private final ChatSession session;
  private final AtomicReference<StreamHandle> inFlight = new AtomicReference<>();
  private volatile boolean cancelled;

  ChatTurn(ChatSession session) {
    this.session = requireNonNull(session, "session is null");
  }

  /**
   * Streams the answer to {@code text} into {@code tokens}; a failure is described to {@code
   * failed} in one line.
   *
   * @throws RuntimeException (translated for the CLI) when the model is missing or Ollama cannot be
   *     reached: nothing later in the chat can work either
   */
  Outcome run(String text, Consumer<String> tokens, Consumer<String> failed) {
    cancelled = false;
    StreamHandle handle =
        session.ask(
            text,
            new StreamListener() {
              @Override
              public void onToken(String token) {
                tokens.accept(token);
              }
            });
    inFlight.set(handle);
    if (cancelled) {
      handle.cancel(); // cancelled while the call was being made
    }
    try {
      LlmResponse answer = handle.completion().join();
      session.answered(answer.text());
      return Outcome.ANSWERED;
    } catch (CompletionException e) {
      if (!(e.getCause() instanceof LlmException failure)) {
        throw e;
      }
      if (failure instanceof CancelledException && cancelled) {
        return Outcome.CANCELLED;
      }
      if (failure instanceof ModelNotFoundException || failure instanceof LlmConnectionException) {
        throw CliErrors.translate(failure, session.model());
      }
      failed.accept(CliErrors.translate(failure, session.model()).getMessage());
      return Outcome.FAILED;
    } finally {
      inFlight.set(null);
    }
  }

  /** Stops the answer being streamed, if there is one; harmless otherwise. */
  void cancel() {
    cancelled = true;
    StreamHandle handle = inFlight.get();
    if (handle != null) {
      handle.cancel();
    }
  }
}
