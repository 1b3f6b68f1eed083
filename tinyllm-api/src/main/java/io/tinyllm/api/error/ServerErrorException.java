package io.tinyllm.api.error;

/** The model server failed with a 5xx status. Retryable. */
public class ServerErrorException extends LlmException {
  public ServerErrorException(String message) {
    super(message);
  }

  public ServerErrorException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.SERVER_ERROR;
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
