package io.tinyllm.api.error;

/** The caller cancelled the call. */
public class CancelledException extends LlmException {
  public CancelledException(String message) {
    super(message);
  }

  public CancelledException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.CANCELLED;
  }
}
