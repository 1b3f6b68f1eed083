package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

/** One message of a conversation. */
public record ChatMessage(Role role, String content) {

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
}
