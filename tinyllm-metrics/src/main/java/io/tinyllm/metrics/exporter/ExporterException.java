package io.tinyllm.metrics.exporter;

import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.TinyLlmException;

/** An exporter could not start; the message is one sentence naming the problem and the fix. */
public class ExporterException extends TinyLlmException {
  public ExporterException(String message) {
    super(message);
  }

  public ExporterException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.EXPORTER;
  }
}
