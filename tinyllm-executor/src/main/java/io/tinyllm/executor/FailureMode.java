package io.tinyllm.executor;

/**
 * What a node failure (after its retries) does to the graph: {@code FAIL_FAST} ends the graph
 * failed; {@code BEST_EFFORT} records it and passes the node's input on unchanged.
 */
public enum FailureMode {
  FAIL_FAST,
  BEST_EFFORT;

  static FailureMode parse(String text) {
    return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
  }
}
