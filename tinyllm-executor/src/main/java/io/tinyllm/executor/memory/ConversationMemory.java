package io.tinyllm.executor.memory;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.llm.ChatMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The messages of one multi-turn chat, bounded by turns and approximate tokens: when a bound is
 * exceeded the oldest messages go first; the system message stays. Thread safe.
 *
 * <pre>{@code
 * ConversationMemory memory = factory.create("Be brief.");
 * memory.add(ChatMessage.user("Hi"));
 * LlmResponse answer = client.chat(ChatRequest.of(model, memory.messages()));
 * memory.add(ChatMessage.assistant(answer.text()));
 * }</pre>
 */
public final class ConversationMemory {
  private final MemoryConfig config;
  private final MemoryMetrics metrics;
  private final ChatMessage system;
  private final Deque<ChatMessage> turns = new ArrayDeque<>();
  private long tokens;

  ConversationMemory(MemoryConfig config, MemoryMetrics metrics, ChatMessage system) {
    this.config = requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.system = system;
  }

  public synchronized void add(ChatMessage message) {
    requireNonNull(message, "message is null");
    turns.addLast(message);
    tokens += approximateTokens(message.content());
    metrics.added();
    int evicted = 0;
    while (turns.size() > 1 && (turns.size() > config.maxTurns() || tokens > config.maxTokens())) {
      tokens -= approximateTokens(turns.removeFirst().content());
      evicted++;
    }
    if (evicted > 0) {
      metrics.trimmed(evicted);
    }
  }

  /** The system message (if any) followed by the remembered turns, oldest first. */
  public synchronized List<ChatMessage> messages() {
    metrics.read();
    List<ChatMessage> out = new ArrayList<>(turns.size() + 1);
    if (system != null) {
      out.add(system);
    }
    out.addAll(turns);
    return List.copyOf(out);
  }

  public synchronized void clear() {
    turns.clear();
    tokens = 0;
    metrics.cleared();
  }

  public synchronized int size() {
    return turns.size();
  }

  public synchronized long approximateTokens() {
    return tokens;
  }

  /** About four characters per token, the usual rule of thumb for English text. */
  static long approximateTokens(String text) {
    return (text.length() + 3) / 4;
  }
}
