package io.tinyllm.executor;

/**
 * What a node produced, and the tokens its model calls used.
 *
 * @param doneReason why the node's model stopped ({@code stop}, {@code length}, ...), or {@code
 *     null} when the node asked no model
 * @param cached whether its model call was answered from the response cache
 */
record NodeResult(
    Payload payload, long promptTokens, long outputTokens, String doneReason, boolean cached) {
  static NodeResult of(Payload payload) {
    return new NodeResult(payload, 0, 0, null, false);
  }
}
