package io.tinyllm.api.cache;

import io.tinyllm.api.llm.LlmResponse;
import java.util.Optional;

/**
 * Stores finished responses under a key derived from the canonical request. Implementations never
 * fail a caller's request because the store is unavailable: lookups then miss and writes are
 * dropped.
 */
public interface ResponseCache {
  /** The backend name used as the {@code cache_type} label: {@code memory}, {@code redis}. */
  String type();

  Optional<LlmResponse> get(String key);

  void put(String key, LlmResponse response);

  void invalidate(String key);

  void clear();

  /** Entries currently held, or -1 when the backend cannot tell cheaply. */
  long size();
}
