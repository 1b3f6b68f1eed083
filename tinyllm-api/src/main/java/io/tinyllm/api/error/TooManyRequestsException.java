package io.tinyllm.api.error;

/**
 * The server asked the client to slow down (HTTP 429). Retryable like any {@link
 * ServerBusyException}, but it says the caller sent too much, not that the server is unwell, so it
 * does not count for a circuit breaker.
 */
public class TooManyRequestsException extends ServerBusyException {
  public TooManyRequestsException(String message) {
    super(message);
  }

  public TooManyRequestsException(String message, Throwable cause) {
    super(message, cause);
  }
}
