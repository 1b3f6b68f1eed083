package io.tinyllm.api.error;

/** A graph could not be loaded, validated or executed. */
public class GraphException extends TinyLlmException {
  public GraphException(String message) {
    super(message);
  }

  public GraphException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.GRAPH;
  }
}
