package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

/**
 * One problem in a graph file, naming the place: file and line, node (may be {@code null} for
 * graph-level problems) and field.
 */
public record ValidationError(SourceLocation location, String node, String field, String message) {
  public ValidationError {
    requireNonNull(location, "location is null");
    requireNonNull(field, "field is null");
    requireNonNull(message, "message is null");
  }

  @Override
  public String toString() {
    return location
        + ": "
        + (node == null ? "" : "node '" + node + "' ")
        + "field '"
        + field
        + "': "
        + message;
  }
}
