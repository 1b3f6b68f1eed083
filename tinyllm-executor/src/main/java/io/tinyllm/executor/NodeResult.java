package io.tinyllm.executor;

/** What a node produced, and the tokens its model calls used. */
record NodeResult(Payload payload, long promptTokens, long outputTokens) {
  static NodeResult of(Payload payload) {
    return new NodeResult(payload, 0, 0);
  }
}
