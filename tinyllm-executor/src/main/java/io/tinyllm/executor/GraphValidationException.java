package io.tinyllm.executor;

import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.GraphException;
import java.util.List;
import java.util.stream.Collectors;

/** A graph file has problems; {@link #errors()} lists all of them, in file order. */
public final class GraphValidationException extends GraphException {
  private final List<ValidationError> errors;

  public GraphValidationException(String file, List<ValidationError> errors) {
    super(
        "Graph "
            + file
            + " has "
            + errors.size()
            + (errors.size() == 1 ? " problem" : " problems")
            + ":\n"
            + errors.stream().map(e -> "  " + e).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public List<ValidationError> errors() {
    return errors;
  }

  @Override
  public ErrorType errorType() {
    return ErrorType.GRAPH_INVALID;
  }
}
