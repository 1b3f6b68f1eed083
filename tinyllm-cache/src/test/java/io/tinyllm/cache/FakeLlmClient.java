package io.tinyllm.cache;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.StreamException;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model that counts its calls and answers {@code "answer N to <prompt>"}, N being the call
 * number, so a test can tell a fresh answer from a stored one. Streams run on the calling thread.
 */
class FakeLlmClient implements LlmClient {
  enum StreamMode {
    COMPLETE,
    FAIL,
    HANG
  }

  final AtomicInteger calls = new AtomicInteger();
  final AtomicInteger embedCalls = new AtomicInteger();
  volatile StreamMode streamMode = StreamMode.COMPLETE;

  static LlmResponse answer(String model, String text) {
    return new LlmResponse(
        model,
        text,
        null,
        "stop",
        7,
        3,
        Duration.ofMillis(120),
        Duration.ofMillis(20),
        Duration.ofMillis(30),
        Duration.ofMillis(70));
  }

  @Override
  public LlmResponse generate(GenerateRequest request) {
    return answer(request.model(), "answer " + calls.incrementAndGet() + " to " + request.prompt());
  }

  @Override
  public LlmResponse chat(ChatRequest request) {
    String last = request.messages().get(request.messages().size() - 1).content();
    return answer(request.model(), "answer " + calls.incrementAndGet() + " to " + last);
  }

  @Override
  public StreamHandle generateStream(GenerateRequest request, StreamListener listener) {
    return stream(generate(request), listener);
  }

  @Override
  public StreamHandle chatStream(ChatRequest request, StreamListener listener) {
    return stream(chat(request), listener);
  }

  private StreamHandle stream(LlmResponse response, StreamListener listener) {
    CompletableFuture<LlmResponse> done = new CompletableFuture<>();
    for (String piece : ReplayedStream.pieces(response.text())) {
      listener.onToken(piece);
    }
    switch (streamMode) {
      case COMPLETE -> {
        listener.onComplete(response);
        done.complete(response);
      }
      case FAIL -> {
        StreamException error = new StreamException("connection reset mid-stream");
        listener.onError(error);
        done.completeExceptionally(error);
      }
      case HANG -> {
        // ends only when cancelled
      }
    }
    return new StreamHandle() {
      @Override
      public void cancel() {
        if (!done.isDone()) {
          CancelledException error = new CancelledException("cancelled by caller");
          listener.onError(error);
          done.completeExceptionally(error);
        }
      }

      @Override
      public CompletableFuture<LlmResponse> completion() {
        return done;
      }
    };
  }

  @Override
  public EmbedResponse embed(EmbedRequest request) {
    embedCalls.incrementAndGet();
    return new EmbedResponse(request.model(), List.of(new float[] {1f, 2f}), 2, null, null);
  }
}
