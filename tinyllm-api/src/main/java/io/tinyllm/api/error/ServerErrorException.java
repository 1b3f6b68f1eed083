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
  public String errorType() {
    return "server_error";
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
