package io.tinyllm.executor;

import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.GraphException;

/** A node failed after its retries; {@link #errorType()} is why. */
final class NodeFailedException extends GraphException {
  private final String node;
  private final ErrorType errorType;
  private final String outcome;
  private final ErrorType rootCause;

  NodeFailedException(String node, String errorType, String outcome, String message) {
    this(node, errorType, outcome, message, errorType);
  }

  /** {@code rootCause}: the type of what went wrong, behind an open breaker. */
  NodeFailedException(
      String node, String errorType, String outcome, String message, String rootCause) {
    super(message);
    this.node = node;
    this.errorType = ErrorType.ofLabel(errorType); // the runner carries types as their labels
    this.outcome = outcome;
    this.rootCause = ErrorType.ofLabel(rootCause);
  }

  /**
   * What went wrong: {@link #errorType()}, or behind an open breaker the failure that opened it.
   */
  ErrorType rootCause() {
    return rootCause;
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
