package io.tinyllm.api.error;

/** The model server could not be reached (refused, reset, DNS). Retryable. */
public class LlmConnectionException extends LlmException {
  public LlmConnectionException(String message) {
    super(message);
  }

  public LlmConnectionException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.CONNECTION;
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
