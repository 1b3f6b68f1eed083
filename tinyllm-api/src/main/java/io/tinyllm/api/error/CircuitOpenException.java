package io.tinyllm.api.error;

/** A circuit breaker is open: calls are rejected without reaching the server. */
public class CircuitOpenException extends LlmException {
  public CircuitOpenException(String message) {
    super(message);
  }

  public CircuitOpenException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.CIRCUIT_OPEN;
  }
}
