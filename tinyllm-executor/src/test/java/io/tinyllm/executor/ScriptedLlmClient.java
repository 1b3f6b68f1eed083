package io.tinyllm.executor;

import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.ServerErrorException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.api.llm.ToolCall;
import io.tinyllm.api.llm.ToolDefinition;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A fake client whose answer is a function of the request; it records each call's prompt and the
 * {@link ExecutionContext} it ran in. An answer of {@code "FAIL"} throws a server error; {@code
 * "OPEN"} throws an open circuit breaker; {@code "SLEEP"} blocks until interrupted (at most 30 s).
 *
 * <p>A chat call is answered as a generate call of its last user message with its system message; a
 * streamed call delivers its answer as one token and completes at once, except that {@code "FAIL"}
 * fails the stream and {@code "SLEEP"} never ends it (until it is cancelled).
 *
 * <p>An answer {@code "TOOL:<name>:<arguments JSON>"} is a tool-call answer: empty text and that
 * one call, with id {@code call_1}.
 */
final class ScriptedLlmClient implements LlmClient {
  /**
   * One call: {@code api} is {@code generate}, {@code chat}, {@code generate_stream} or {@code
   * chat_stream}; {@code messages} are what a chat call sent (empty for generate).
   */
  record Call(
      String model,
      String prompt,
      ExecutionContext context,
      String api,
      String system,
      List<ChatMessage> messages,
      List<ToolDefinition> tools) {}

  /** A scripted stream: whether it was cancelled, and its outcome. */
  static final class Stream implements StreamHandle {
    private final CompletableFuture<LlmResponse> completion = new CompletableFuture<>();
    volatile boolean cancelled;

    @Override
    public void cancel() {
      cancelled = true;
      completion.completeExceptionally(new CancelledException("scripted stream cancelled"));
    }

    @Override
    public CompletableFuture<LlmResponse> completion() {
      return completion;
    }
  }

  private final Function<GenerateRequest, String> script;
  final List<Call> calls = new CopyOnWriteArrayList<>();
  final List<Stream> streams = new CopyOnWriteArrayList<>();
  private final Object opened = new Object();

  ScriptedLlmClient(Function<GenerateRequest, String> script) {
    this.script = script;
  }

  @Override
  public LlmResponse generate(GenerateRequest request) {
    record(request, "generate", List.of(), List.of());
    return answer(request);
  }

  @Override
  public StreamHandle generateStream(GenerateRequest request, StreamListener listener) {
    record(request, "generate_stream", List.of(), List.of());
    return stream(request, listener);
  }

  @Override
  public LlmResponse chat(ChatRequest request) {
    GenerateRequest asked = asGenerate(request);
    record(asked, "chat", request.messages(), request.tools());
    return answer(asked);
  }

  @Override
  public StreamHandle chatStream(ChatRequest request, StreamListener listener) {
    GenerateRequest asked = asGenerate(request);
    record(asked, "chat_stream", request.messages(), request.tools());
    return stream(asked, listener);
  }

  @Override
  public EmbedResponse embed(EmbedRequest request) {
    throw new UnsupportedOperationException();
  }

  private void record(
      GenerateRequest request, String api, List<ChatMessage> messages, List<ToolDefinition> tools) {
    calls.add(
        new Call(
            request.model(),
            request.prompt(),
            ExecutionContext.current(),
            api,
            request.system(),
            messages,
            tools));
  }

  private LlmResponse answer(GenerateRequest request) {
    String answer = script.apply(request);
    if (answer.equals("FAIL")) {
      throw new ServerErrorException("scripted failure");
    }
    if (answer.equals("OPEN")) {
      throw new CircuitOpenException("scripted open breaker");
    }
    if (answer.equals("SLEEP")) {
      try {
        Thread.sleep(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServerErrorException("interrupted");
      }
    }
    return response(request, answer);
  }

  /**
   * The {@code n}th stream opened (from 1), waiting for it at most {@link Await#LIMIT}: woken as
   * each stream opens.
   */
  Stream awaitStream(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Await.LIMIT.toNanos();
    synchronized (opened) {
      while (streams.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("stream " + n + " not opened within " + Await.LIMIT);
        }
        TimeUnit.NANOSECONDS.timedWait(opened, left);
      }
      return streams.get(n - 1);
    }
  }

  private StreamHandle stream(GenerateRequest request, StreamListener listener) {
    Stream stream = new Stream();
    synchronized (opened) {
      streams.add(stream);
      opened.notifyAll();
    }
    String answer = script.apply(request);
    switch (answer) {
      case "SLEEP" -> {}
      case "FAIL" -> {
        LlmException error = new ServerErrorException("scripted stream failure");
        listener.onError(error);
        stream.completion.completeExceptionally(error);
      }
      default -> {
        LlmResponse response = response(request, answer);
        listener.onToken(answer);
        listener.onComplete(response);
        stream.completion.complete(response);
      }
    }
    return stream;
  }

  private static LlmResponse response(GenerateRequest request, String answer) {
    if (answer.startsWith("TOOL:")) {
      int colon = answer.indexOf(':', 5);
      ToolCall call =
          new ToolCall("call_1", answer.substring(5, colon), answer.substring(colon + 1));
      return new LlmResponse(
          request.model(),
          "",
          null,
          "stop",
          10,
          5,
          Duration.ZERO,
          null,
          null,
          null,
          List.of(call),
          List.of());
    }
    return new LlmResponse(
        request.model(), answer, null, "stop", 10, 5, Duration.ZERO, null, null, null);
  }

  /** The chat request as a generate request: its last user message and its system message. */
  private static GenerateRequest asGenerate(ChatRequest request) {
    String prompt = "";
    String system = null;
    for (ChatMessage message : request.messages()) {
      if (message.role() == ChatMessage.Role.USER) {
        prompt = message.content();
      } else if (message.role() == ChatMessage.Role.SYSTEM) {
        system = message.content();
      }
    }
    return GenerateRequest.builder(request.model(), prompt)
        .system(system)
        .options(request.options())
        .build();
  }
}
