package io.tinyllm.api.error;

/** A connect, request or stream-idle timeout elapsed. Retryable. */
public class LlmTimeoutException extends LlmException {
  public LlmTimeoutException(String message) {
    super(message);
  }

  public LlmTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.TIMEOUT;
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
