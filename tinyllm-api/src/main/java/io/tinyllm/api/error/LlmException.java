package io.tinyllm.api.error;

/** A call to a language model failed. */
public class LlmException extends TinyLlmException {
  public LlmException(String message) {
    super(message);
  }

  public LlmException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.LLM;
  }

  /** Whether trying again may succeed: connection failures, timeouts, 5xx, 503 and 429. */
  public boolean isRetryable() {
    return false;
  }
}
