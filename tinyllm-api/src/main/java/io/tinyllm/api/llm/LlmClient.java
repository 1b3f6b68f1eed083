package io.tinyllm.api.llm;

/**
 * A language-model client. Implementations are thread safe. Failures are thrown (or, when
 * streaming, reported) as {@link io.tinyllm.api.error.LlmException} subtypes carrying the server's
 * message.
 *
 * <p>Decorators (a cache, for instance) implement this interface too and wrap another client.
 */
public interface LlmClient {
  LlmResponse generate(GenerateRequest request);

  StreamHandle generateStream(GenerateRequest request, StreamListener listener);

  LlmResponse chat(ChatRequest request);

  StreamHandle chatStream(ChatRequest request, StreamListener listener);

  EmbedResponse embed(EmbedRequest request);
}
