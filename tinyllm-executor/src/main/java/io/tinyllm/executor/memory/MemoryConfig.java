package io.tinyllm.executor.memory;

import io.tinyllm.api.config.Settings;

/**
 * Bounds of a conversation memory: {@code memory.max-turns} (default 20) user/assistant messages
 * and {@code memory.max-tokens} (default 4000) approximate tokens (characters / 4, rounded up). The
 * system message is kept and not counted in turns.
 */
public record MemoryConfig(int maxTurns, int maxTokens) {
  public static final int DEFAULT_MAX_TURNS = 20;
  public static final int DEFAULT_MAX_TOKENS = 4000;

  public MemoryConfig {
    if (maxTurns < 1 || maxTokens < 1) {
      throw new IllegalArgumentException("maxTurns and maxTokens must be at least 1");
    }
  }

  public static MemoryConfig defaults() {
    return from(Settings.empty());
  }

  public static MemoryConfig from(Settings settings) {
    return new MemoryConfig(
        settings.getInt("memory.max-turns", DEFAULT_MAX_TURNS, 1, 10_000),
        settings.getInt("memory.max-tokens", DEFAULT_MAX_TOKENS, 1, 10_000_000));
  }
}
