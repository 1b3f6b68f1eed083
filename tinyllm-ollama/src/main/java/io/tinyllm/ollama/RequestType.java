package io.tinyllm.ollama;

/**
 * What a call asked of the model: the {@code request_type} label of {@code tinyllm_requests_total}.
 * Streaming and non-streaming calls are told apart because their latency means different things.
 */
public enum RequestType {
  GENERATE("generate"),
  CHAT("chat"),
  EMBED("embed"),
  GENERATE_STREAM("generate_stream"),
  CHAT_STREAM("chat_stream");

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
    return this == GENERATE_STREAM || this == CHAT_STREAM;
  }
}
