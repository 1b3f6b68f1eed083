package io.tinyllm.api.error;

/** The requested model is not present on the server (HTTP 404); the message says how to pull it. */
public class ModelNotFoundException extends LlmException {
  public ModelNotFoundException(String message) {
    super(message);
  }

  public ModelNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.MODEL_NOT_FOUND;
  }
}
