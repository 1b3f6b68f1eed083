package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A multi-turn chat completion (Ollama's {@code /api/chat}).
 *
 * <pre>{@code
 * ChatRequest request = new ChatRequest("qwen2.5:0.5b",
 *     List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")),
 *     GenerationOptions.DEFAULT, null, null, null);
 * }</pre>
 */
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    GenerationOptions options,
    ResponseFormat format,
    String keepAlive,
    Boolean think) {

  public ChatRequest {
    requireNonNull(model, "model is null");
    messages = List.copyOf(requireNonNull(messages, "messages is null"));
    options = options == null ? GenerationOptions.DEFAULT : options;
  }

  public static ChatRequest of(String model, List<ChatMessage> messages) {
    return new ChatRequest(model, messages, GenerationOptions.DEFAULT, null, null, null);
  }

  public ChatRequest withOptions(GenerationOptions newOptions) {
    return new ChatRequest(model, messages, newOptions, format, keepAlive, think);
  }
}
