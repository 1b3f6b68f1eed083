package io.tinyllm.executor.memory;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.llm.ChatMessage;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** Creates conversation memories bounded by {@link MemoryConfig} and counted in metrics. */
@Singleton
public final class ConversationMemoryFactory {
  private final MemoryConfig config;
  private final MemoryMetrics metrics;

  @Inject
  public ConversationMemoryFactory(MemoryConfig config, MemoryMetrics metrics) {
    this.config = requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  public ConversationMemory create() {
    return new ConversationMemory(config, metrics, null);
  }

  /** A memory that always starts with {@code systemPrompt}. */
  public ConversationMemory create(String systemPrompt) {
    requireNonNull(systemPrompt, "systemPrompt is null");
    return new ConversationMemory(config, metrics, ChatMessage.system(systemPrompt));
  }
}
