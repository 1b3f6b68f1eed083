package io.tinyllm.executor.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.metrics.testing.Exposition;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConversationMemoryTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final MemoryMetrics metrics = new MemoryMetrics();

  ConversationMemoryTest() {
    metrics.collectors().forEach(registry::register);
  }

  @Test
  void keepsTheSystemMessageAndTrimsTheOldestTurnsCountingEveryOperation() {
    ConversationMemoryFactory factory =
        new ConversationMemoryFactory(new MemoryConfig(3, 1000), metrics);
    ConversationMemory memory = factory.create("Be brief.");
    memory.add(ChatMessage.user("one"));
    memory.add(ChatMessage.assistant("two"));
    memory.add(ChatMessage.user("three"));
    memory.add(ChatMessage.assistant("four"));

    assertThat(memory.messages())
        .containsExactly(
            ChatMessage.system("Be brief."),
            ChatMessage.assistant("two"),
            ChatMessage.user("three"),
            ChatMessage.assistant("four"));
    memory.clear();
    assertThat(memory.size()).isZero();

    assertThat(Exposition.text(registry, "tinyllm_memory_operations"))
        .isEqualTo(
            """
            # HELP tinyllm_memory_operations_total Conversation memory operations by type
            # TYPE tinyllm_memory_operations_total counter
            tinyllm_memory_operations_total{operation_type="add"} 4.0
            tinyllm_memory_operations_total{operation_type="clear"} 1.0
            tinyllm_memory_operations_total{operation_type="get"} 1.0
            tinyllm_memory_operations_total{operation_type="trim"} 1.0
            """);
  }

  @Test
  void approximateTokenBoundEvictsButKeepsTheNewestMessage() {
    ConversationMemory memory =
        new ConversationMemoryFactory(new MemoryConfig(100, 5), metrics).create();
    memory.add(ChatMessage.user("12345678")); // 2 tokens
    memory.add(ChatMessage.user("123456789012")); // 3 tokens
    assertThat(memory.approximateTokens()).isEqualTo(5);
    memory.add(ChatMessage.user("1234567890123456789012345")); // 7 tokens, over the bound alone
    assertThat(memory.size()).isEqualTo(1);
    assertThat(memory.approximateTokens()).isEqualTo(7);
  }

  @Test
  void configDefaultsAndMapping() {
    assertThat(MemoryConfig.defaults()).isEqualTo(new MemoryConfig(20, 4000));
    assertThat(
            MemoryConfig.from(
                Settings.of(Map.of("memory.max-turns", "5", "memory.max-tokens", "900"))))
        .isEqualTo(new MemoryConfig(5, 900));
  }
}
