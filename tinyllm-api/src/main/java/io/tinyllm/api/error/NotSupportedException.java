package io.tinyllm.api.error;

/**
 * The model cannot do what was asked (HTTP 501: Ollama's answer to embed on a model without
 * embeddings). Not retryable, and not a sign that the server is unwell.
 */
public class NotSupportedException extends LlmException {
  public NotSupportedException(String message) {
    super(message);
  }

  public NotSupportedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.NOT_SUPPORTED;
  }
}
