package io.tinyllm.ollama;

/**
 * What a call asked of the model: the {@code request_type} label of {@code tinyllm_requests_total}.
 * Streaming and non-streaming calls are told apart because their latency means different things.
 * The {@code openai_*} types are Ollama's OpenAI-compatible endpoints, seen by {@code tinyllm
 * proxy}; the client itself speaks only the native API.
 */
public enum RequestType {
  GENERATE("generate"),
  CHAT("chat"),
  EMBED("embed"),
  GENERATE_STREAM("generate_stream"),
  CHAT_STREAM("chat_stream"),
  OPENAI_CHAT("openai_chat"),
  OPENAI_CHAT_STREAM("openai_chat_stream"),
  OPENAI_COMPLETION("openai_completion"),
  OPENAI_COMPLETION_STREAM("openai_completion_stream"),
  OPENAI_EMBED("openai_embed");

  private final String label;

  RequestType(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }

  /** Whether the answer arrives as a stream of chunks. */
  public boolean isStreaming() {
    return this == GENERATE_STREAM
        || this == CHAT_STREAM
        || this == OPENAI_CHAT_STREAM
        || this == OPENAI_COMPLETION_STREAM;
  }
}
