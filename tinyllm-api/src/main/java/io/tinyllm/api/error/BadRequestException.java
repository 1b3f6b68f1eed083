package io.tinyllm.api.error;

/** The server rejected the request as invalid (HTTP 400). Never retried. */
public class BadRequestException extends LlmException {
  public BadRequestException(String message) {
    super(message);
  }

  public BadRequestException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.BAD_REQUEST;
  }
}
