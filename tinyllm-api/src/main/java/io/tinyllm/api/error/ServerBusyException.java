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
  public String errorType() {
    return "server_busy";
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
