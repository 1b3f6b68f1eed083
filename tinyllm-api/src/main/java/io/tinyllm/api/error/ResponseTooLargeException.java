package io.tinyllm.api.error;

/**
 * The server's answer was larger than the client accepts (a body or a streamed answer beyond the
 * client's size cap). Not retryable: the same request would get the same answer.
 */
public class ResponseTooLargeException extends LlmException {
  public ResponseTooLargeException(String message) {
    super(message);
  }

  public ResponseTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.RESPONSE_TOO_LARGE;
  }
}
