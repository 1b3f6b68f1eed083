package io.tinyllm.executor;

import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.error.ServerErrorException;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A fake client whose answer is a function of the request; it records each call's prompt and the
 * {@link ExecutionContext} it ran in. An answer of {@code "FAIL"} throws a server error; {@code
 * "OPEN"} throws an open circuit breaker; {@code "SLEEP"} blocks until interrupted (at most 30 s).
 */
final class ScriptedLlmClient implements LlmClient {
  record Call(String model, String prompt, ExecutionContext context) {}

  private final Function<GenerateRequest, String> script;
  final List<Call> calls = new CopyOnWriteArrayList<>();

  ScriptedLlmClient(Function<GenerateRequest, String> script) {
    this.script = script;
  }

  @Override
  public LlmResponse generate(GenerateRequest request) {
    calls.add(new Call(request.model(), request.prompt(), ExecutionContext.current()));
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
    return new LlmResponse(
        request.model(), answer, null, "stop", 10, 5, Duration.ZERO, null, null, null);
  }

  @Override
  public StreamHandle generateStream(GenerateRequest request, StreamListener listener) {
    throw new UnsupportedOperationException();
  }

  @Override
  public LlmResponse chat(ChatRequest request) {
    throw new UnsupportedOperationException();
  }

  @Override
  public StreamHandle chatStream(ChatRequest request, StreamListener listener) {
    throw new UnsupportedOperationException();
  }

  @Override
  public EmbedResponse embed(EmbedRequest request) {
    throw new UnsupportedOperationException();
  }
}
