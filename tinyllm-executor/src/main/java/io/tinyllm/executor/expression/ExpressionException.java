package io.tinyllm.executor.expression;

import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.GraphException;

/** An expression did not parse, or could not be evaluated on a payload. */
public final class ExpressionException extends GraphException {
  public ExpressionException(String message) {
    super(message);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.EXPRESSION;
  }
}
