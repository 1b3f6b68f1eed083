package io.tinyllm.executor;

import io.tinyllm.api.error.GraphException;

/** The whole graph stops: its deadline passed or it was cancelled. */
final class GraphStoppedException extends GraphException {
  private final GraphRun.Status status;

  GraphStoppedException(GraphRun.Status status, String message) {
    super(message);
    this.status = status;
  }

  GraphRun.Status status() {
    return status;
  }
}
