package io.tinyllm.executor;

import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.GraphException;

/** A node failed after its retries; {@link #errorType()} is why. */
final class NodeFailedException extends GraphException {
  private final String node;
  private final ErrorType errorType;
  private final String outcome;

  NodeFailedException(String node, String errorType, String outcome, String message) {
    super(message);
    this.node = node;
    this.errorType = ErrorType.ofLabel(errorType); // the runner carries types as their labels
    this.outcome = outcome;
  }

  String node() {
    return node;
  }

  String outcome() {
    return outcome;
  }

  @Override
  public ErrorType errorType() {
    return errorType;
  }
}
