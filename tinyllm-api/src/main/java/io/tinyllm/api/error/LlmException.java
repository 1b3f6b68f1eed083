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

  /**
   * Whether trying again may succeed: connection failures, timeouts, 502/503/504, 429 and a crashed
   * model runner.
   */
  public boolean isRetryable() {
    return false;
  }
}
