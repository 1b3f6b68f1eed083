package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Optional;

/**
 * Ollama's OpenAI-compatible endpoints, built as Ollama builds them (v0.13.5 {@code
 * middleware/openai.go}): the OpenAI request is rewritten into a native one and served by the
 * native handler — same validation, scheduler, answers, timing and faults — and its answer is
 * rewritten on the way out by an {@link OpenAiExchange}.
 *
 * <pre>{@code
 * curl http://127.0.0.1:11434/v1/chat/completions \
 *     -d '{"model":"qwen2.5:0.5b","messages":[{"role":"user","content":"hi"}]}'
 * }</pre>
 */
final class OpenAiHandler {
  private final SimulatorContext ctx;
  private final CompletionHandler completions;
  private final EmbedHandler embeddings;
  private final ModelInfoHandler info;

  OpenAiHandler(
      SimulatorContext ctx,
      CompletionHandler completions,
      EmbedHandler embeddings,
      ModelInfoHandler info) {
    this.ctx = requireNonNull(ctx, "ctx is null");
    this.completions = requireNonNull(completions, "completions is null");
    this.embeddings = requireNonNull(embeddings, "embeddings is null");
    this.info = requireNonNull(info, "info is null");
  }

  /**
   * {@code exchange} wrapped so that its answer is rewritten, when it is a request Ollama's router
   * hands to an OpenAI middleware (a {@code /v1} path with its method); else {@code exchange}. An
   * unknown path or wrong method is answered by the router itself, in plain text, as Ollama does.
   */
  static HttpExchange adapt(HttpExchange exchange, ObjectMapper mapper) {
    Optional<Endpoint> endpoint = Endpoint.forPath(exchange.getRequestURI().getPath());
    if (endpoint.isPresent()
        && endpoint.get().openAi()
        && endpoint.get().allows(exchange.getRequestMethod())) {
      return new OpenAiExchange(exchange, endpoint.get(), mapper);
    }
    return exchange;
  }

  /** Serves one of the {@code /v1} endpoints on an exchange from {@link #adapt}. */
  void serve(Endpoint endpoint, HttpExchange exchange, byte[] body, FaultPlan faults)
      throws IOException {
    if (!(exchange instanceof OpenAiExchange openAi)) {
      throw new IllegalStateException(endpoint.path() + " was not adapted");
    }
    OpenAiRequests.Translated request;
    try {
      request =
          switch (endpoint) {
            case OPENAI_CHAT -> OpenAiRequests.chat(ctx.mapper, body);
            case OPENAI_COMPLETIONS -> OpenAiRequests.completion(ctx.mapper, body);
            case OPENAI_EMBEDDINGS -> OpenAiRequests.embeddings(ctx.mapper, body);
            case OPENAI_MODELS ->
                new OpenAiRequests.Translated(new byte[0], OpenAiRequests.Options.NONE);
            case OPENAI_MODEL ->
                OpenAiRequests.retrieve(
                    ctx.mapper, endpoint.parameter(exchange.getRequestURI().getPath()));
            default -> throw new IllegalArgumentException("not an OpenAI endpoint: " + endpoint);
          };
    } catch (ApiException e) {
      openAi.sendRequestError(e.status(), e.getMessage());
      return;
    }
    openAi.answerWith(request.options());
    byte[] nativeBody = request.nativeBody();
    switch (endpoint) {
      case OPENAI_CHAT -> completions.chat(openAi, nativeBody, faults);
      case OPENAI_COMPLETIONS -> completions.generate(openAi, nativeBody, faults);
      case OPENAI_EMBEDDINGS -> embeddings.embed(openAi, nativeBody, faults);
      case OPENAI_MODELS -> info.tags(openAi, faults);
      case OPENAI_MODEL -> info.show(openAi, nativeBody, faults);
      default -> throw new IllegalArgumentException("not an OpenAI endpoint: " + endpoint);
    }
  }
}
