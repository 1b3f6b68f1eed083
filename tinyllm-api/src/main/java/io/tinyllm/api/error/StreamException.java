package io.tinyllm.api.error;

/** A stream reported an error, or ended, before its final chunk. */
public class StreamException extends LlmException {
  public StreamException(String message) {
    super(message);
  }

  public StreamException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.STREAM_ERROR;
  }
}
