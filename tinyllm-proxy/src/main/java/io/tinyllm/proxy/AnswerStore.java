package io.tinyllm.proxy;

import java.util.Optional;

/**
 * Where the proxy's response cache keeps answers: in this process ({@link MemoryAnswerStore}) or in
 * Redis, shared by replicas ({@link RedisAnswerStore}). A store never fails a request: a lookup
 * that fails is a miss, a write that fails is dropped (both counted by the store).
 */
interface AnswerStore extends AutoCloseable {
  /** The answer under {@code key}, if one is held and readable. */
  Optional<CachedAnswer> get(String key);

  /** Keeps {@code answer} under {@code key}; true when it was written. */
  boolean put(String key, CachedAnswer answer);

  @Override
  void close();
}
