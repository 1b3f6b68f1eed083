package io.tinyllm.api.error;

/** The client-side rate limiter had no permit within the allowed wait. */
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
