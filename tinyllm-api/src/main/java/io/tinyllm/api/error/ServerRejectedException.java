package io.tinyllm.api.error;

/**
 * The model server failed the request in a way that fails the same way on every retry: Ollama
 * answers HTTP 500 for an invalid {@code format}, an option of the wrong type, a template error or
 * a model that needs more memory than the host has. The message carries the server's text. Not
 * retryable, and not a sign that the server is unwell (it does not count for a circuit breaker).
 */
public class ServerRejectedException extends LlmException {
  public ServerRejectedException(String message) {
    super(message);
  }

  public ServerRejectedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.SERVER_REJECTED;
  }
}
