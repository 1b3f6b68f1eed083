package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

/**
 * What a simulated model can do, named as Ollama names it in the {@code capabilities} list of
 * {@code POST /api/show}. The simulator checks them the way Ollama does: a chat with an embedding
 * model, or {@code think: true} with a model that cannot think, is rejected.
 */
public enum Capability {
  /** Text generation ({@code /api/generate}, {@code /api/chat}). */
  COMPLETION("completion"),
  /** Vector embeddings ({@code /api/embed}, {@code /api/embeddings}). */
  EMBEDDING("embedding"),
  /**
   * Accepts {@code tools} in a chat request; calls them when a canned answer says so ({@link
   * ScriptedToolCalls}).
   */
  TOOLS("tools"),
  /** Accepts {@code suffix} (fill in the middle). */
  INSERT("insert"),
  /** Emits a separate {@code thinking} text before the answer. */
  THINKING("thinking"),
  /** Accepts images (listed only; the simulator ignores image content). */
  VISION("vision");

  private final String wireName;

  Capability(String wireName) {
    this.wireName = requireNonNull(wireName, "wireName is null");
  }

  /** The name Ollama uses on the wire, e.g. {@code "completion"}. */
  public String wireName() {
    return wireName;
  }
}
