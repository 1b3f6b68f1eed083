package io.tinyllm.proxy;

import io.tinyllm.ollama.RequestType;

/**
 * The Ollama endpoints whose answers the proxy reads on the side, and what kind of LLM call each
 * is: a {@code POST} to one of these paths is counted in the client's families. Whether it streams
 * comes from the request's {@code stream} field, else the endpoint's default (true for the native
 * API, false for the OpenAI-compatible one, as Ollama reads them).
 */
enum LlmEndpoint {
  GENERATE("/api/generate", RequestType.GENERATE, RequestType.GENERATE_STREAM, true),
  CHAT("/api/chat", RequestType.CHAT, RequestType.CHAT_STREAM, true),
  EMBED("/api/embed", RequestType.EMBED, RequestType.EMBED, false),
  EMBEDDINGS("/api/embeddings", RequestType.EMBED, RequestType.EMBED, false),
  OPENAI_CHAT(
      "/v1/chat/completions", RequestType.OPENAI_CHAT, RequestType.OPENAI_CHAT_STREAM, false),
  OPENAI_COMPLETION(
      "/v1/completions",
      RequestType.OPENAI_COMPLETION,
      RequestType.OPENAI_COMPLETION_STREAM,
      false),
  OPENAI_EMBED("/v1/embeddings", RequestType.OPENAI_EMBED, RequestType.OPENAI_EMBED, false);

  private final String path;
  private final RequestType whole;
  private final RequestType streamed;
  private final boolean streamsByDefault;

  LlmEndpoint(String path, RequestType whole, RequestType streamed, boolean streamsByDefault) {
    this.path = path;
    this.whole = whole;
    this.streamed = streamed;
    this.streamsByDefault = streamsByDefault;
  }

  /** The endpoint of a {@code method} request to {@code path}, or null if it is not an LLM call. */
  static LlmEndpoint of(String method, String path) {
    if (!"POST".equals(method)) {
      return null;
    }
    for (LlmEndpoint endpoint : values()) {
      if (endpoint.path.equals(path)) {
        return endpoint;
      }
    }
    return null;
  }

  /** The request type of a call whose body said {@code stream} (null: it did not say). */
  RequestType type(Boolean stream) {
    boolean streams = stream == null ? streamsByDefault : stream;
    return streams ? streamed : whole;
  }

  /** Whether this is one of Ollama's OpenAI-compatible endpoints ({@code /v1/...}). */
  boolean isOpenAi() {
    return path.startsWith("/v1/");
  }
}
