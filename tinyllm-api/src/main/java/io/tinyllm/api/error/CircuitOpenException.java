package io.tinyllm.api.error;

/**
 * A circuit breaker is open: calls are rejected without reaching the server. {@link #rootCause()}
 * is the type of the failure that opened it, when known, so a caller can report what went wrong
 * rather than the breaker.
 */
public class CircuitOpenException extends LlmException {
  private final ErrorType rootCause;

  public CircuitOpenException(String message) {
    this(message, null, null);
  }

  public CircuitOpenException(String message, Throwable cause) {
    this(message, cause, null);
  }

  /** {@code rootCause}: the type of the last failure before the breaker opened, or null. */
  public CircuitOpenException(String message, Throwable cause, ErrorType rootCause) {
    super(message, cause);
    this.rootCause = rootCause;
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.CIRCUIT_OPEN;
  }

  /**
   * The type of the failure that opened the breaker, or {@link ErrorType#CIRCUIT_OPEN} if unknown.
   */
  public ErrorType rootCause() {
    return rootCause == null ? ErrorType.CIRCUIT_OPEN : rootCause;
  }
}
