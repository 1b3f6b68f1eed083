package io.tinyllm.executor;

/**
 * What a node produced, and the tokens its model calls used.
 *
 * @param cached whether its model call was answered from the response cache
 */
record NodeResult(Payload payload, long promptTokens, long outputTokens, boolean cached) {
  static NodeResult of(Payload payload) {
    return new NodeResult(payload, 0, 0, false);
  }
}
