package io.tinyllm.ollama.sim;

import java.util.List;

/**
 * What one generation will emit: the thinking tokens, then the answer tokens, why it ends, and how
 * many prompt tokens it evaluated. Built before the first token is sent, so the counts in the final
 * chunk always match the streamed chunks.
 *
 * @param thinking the thinking tokens (empty unless the model thinks)
 * @param content the answer tokens
 * @param doneReason {@code stop} or {@code length}
 * @param promptTokens the {@code prompt_eval_count}
 */
record CompletionPlan(
    List<String> thinking, List<String> content, String doneReason, int promptTokens) {

  /**
   * Plans a generation: cuts {@code answer} before the first stop sequence, then cuts thinking and
   * answer together to {@code numPredict} tokens (done reason {@code length}).
   */
  static CompletionPlan of(
      String thinkingText, String answer, SamplingOptions options, int promptTokens) {
    String text = answer;
    for (String stop : options.stop()) {
      int at = text.indexOf(stop);
      if (at >= 0) {
        text = text.substring(0, at);
      }
    }
    List<String> thinking = Tokenizer.tokenize(thinkingText);
    List<String> content = Tokenizer.tokenize(text);
    String reason = "stop";
    int limit = options.numPredict();
    if (limit > 0 && thinking.size() + content.size() > limit) {
      reason = "length";
      if (thinking.size() >= limit) {
        thinking = thinking.subList(0, limit);
        content = List.of();
      } else {
        content = content.subList(0, limit - thinking.size());
      }
    }
    return new CompletionPlan(
        List.copyOf(thinking),
        List.copyOf(content),
        reason,
        Math.min(promptTokens, options.numCtx()));
  }

  /** Tokens generated in all ({@code eval_count}). */
  int evalCount() {
    return thinking.size() + content.size();
  }

  /** The token at {@code index} of the whole emission, thinking first. */
  String token(int index) {
    return index < thinking.size() ? thinking.get(index) : content.get(index - thinking.size());
  }

  /** Whether the token at {@code index} is thinking. */
  boolean isThinking(int index) {
    return index < thinking.size();
  }

  /** The whole thinking text. */
  String thinkingText() {
    return String.join("", thinking);
  }

  /** The whole answer text. */
  String contentText() {
    return String.join("", content);
  }
}
