package io.tinyllm.ollama;

import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import java.util.List;

/**
 * The key that keeps a conversation on one server of a fleet: the model and the conversation's
 * opening (its first two messages, typically the system prompt and the first question), which every
 * later turn repeats. Ollama caches the evaluated prompt of the last request per loaded model, so
 * the server that answered a turn evaluates only the new messages of the next.
 */
final class Conversations {
  /** Messages of the opening that make the key. */
  static final int OPENING = 2;

  /** Characters of each message's text that make the key: enough to tell conversations apart. */
  static final int MAX_CHARS = 4096;

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Conversations() {}

  /** The key of {@code request}'s conversation; never 0, which means "no conversation". */
  static long key(ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    long hash = mix(FNV_OFFSET, request.model());
    for (int i = 0; i < Math.min(OPENING, messages.size()); i++) {
      ChatMessage message = messages.get(i);
      hash = mix(hash, message.role().wireName());
      hash = mix(hash, message.content());
    }
    return hash == 0 ? 1 : hash;
  }

  private static long mix(long hash, String text) {
    int length = text == null ? 0 : Math.min(text.length(), MAX_CHARS);
    for (int i = 0; i < length; i++) {
      hash ^= text.charAt(i);
      hash *= FNV_PRIME;
    }
    // a separator, so ("ab", "c") and ("a", "bc") differ
    hash ^= 0x1f;
    return hash * FNV_PRIME;
  }
}
