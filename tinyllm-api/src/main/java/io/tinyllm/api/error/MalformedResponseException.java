package io.tinyllm.api.error;

/** The server answered with something that is not the documented JSON. */
public class MalformedResponseException extends LlmException {
  public MalformedResponseException(String message) {
    super(message);
  }

  public MalformedResponseException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.MALFORMED_RESPONSE;
  }
}
