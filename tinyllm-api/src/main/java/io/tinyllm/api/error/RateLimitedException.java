package io.tinyllm.api.error;

/**
 * A client-side limit refused the call: the rate limiter had no permit within the allowed wait, or
 * the client already ran as many streams as it may at once.
 */
public class RateLimitedException extends LlmException {
  public RateLimitedException(String message) {
    super(message);
  }

  public RateLimitedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.RATE_LIMITED;
  }
}
