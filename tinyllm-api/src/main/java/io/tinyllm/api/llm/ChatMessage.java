package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One message of a conversation. Beyond role and text, an assistant message may carry the tool
 * calls the model asked for, and a {@link Role#TOOL tool} message the result of one, so a caller
 * can complete a tool-calling loop:
 *
 * <pre>{@code
 * LlmResponse answer = client.chat(request);            // answer.toolCalls() = [get_weather(...)]
 * List<ChatMessage> next = new ArrayList<>(request.messages());
 * next.add(ChatMessage.assistant(answer.text(), answer.toolCalls()));
 * for (ToolCall call : answer.toolCalls()) {
 *   next.add(ChatMessage.toolResult(call, run(call)));  // role "tool", tool_name, tool_call_id
 * }
 * }</pre>
 *
 * @param toolCalls the calls an assistant message asked for ({@code tool_calls}); empty otherwise
 * @param toolName the tool whose result a tool message carries ({@code tool_name}), else {@code
 *     null}
 * @param toolCallId the id of the call a tool message answers ({@code tool_call_id}), else {@code
 *     null}
 */
public record ChatMessage(
    Role role, String content, List<ToolCall> toolCalls, String toolName, String toolCallId) {

  /** Who wrote a message; {@link #wireName()} is Ollama's spelling. */
  public enum Role {
    SYSTEM,
    USER,
    ASSISTANT,
    TOOL;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The role spelled {@code name} on the wire ({@code user}, {@code assistant}, ...). */
    public static Role fromWireName(String name) {
      for (Role role : values()) {
        if (role.wireName().equals(name)) {
          return role;
        }
      }
      throw new IllegalArgumentException("Unknown chat role '" + name + "'");
    }
  }

  public ChatMessage {
    requireNonNull(role, "role is null");
    requireNonNull(content, "content is null");
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  public ChatMessage(Role role, String content) {
    this(role, content, List.of(), null, null);
  }

  public static ChatMessage system(String content) {
    return new ChatMessage(Role.SYSTEM, content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage(Role.USER, content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage(Role.ASSISTANT, content);
  }

  /** The model's earlier answer that asked for {@code toolCalls}, for the conversation history. */
  public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
    return new ChatMessage(Role.ASSISTANT, content, toolCalls, null, null);
  }

  /** The result of running {@code call}: role {@code tool}, its name and id. */
  public static ChatMessage toolResult(ToolCall call, String result) {
    requireNonNull(call, "call is null");
    return new ChatMessage(Role.TOOL, result, List.of(), call.name(), call.id());
  }

  /** The result of running the tool {@code toolName}: role {@code tool}. */
  public static ChatMessage toolResult(String toolName, String result) {
    requireNonNull(toolName, "toolName is null");
    return new ChatMessage(Role.TOOL, result, List.of(), toolName, null);
  }
}
