package io.tinyllm.api.error;

/** The request queue is full (or shut down) and did not accept a request. */
public class QueueRejectedException extends TinyLlmException {
  public QueueRejectedException(String message) {
    super(message);
  }

  public QueueRejectedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.QUEUE_REJECTED;
  }
}
