package io.tinyllm.api.error;

/** The model server is overloaded (HTTP 503 or 429). Retryable. */
public class ServerBusyException extends LlmException {
  public ServerBusyException(String message) {
    super(message);
  }

  public ServerBusyException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.SERVER_BUSY;
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
