package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

/** Where in a graph file something was written; {@code line} counts from 1, 0 when unknown. */
public record SourceLocation(String file, int line) {
  public SourceLocation {
    requireNonNull(file, "file is null");
  }

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line : file;
  }
}
