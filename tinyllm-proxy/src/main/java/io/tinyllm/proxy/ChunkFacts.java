package io.tinyllm.proxy;

/**
 * What one top-level JSON object of an answer said, as far as metrics care: a native NDJSON chunk,
 * a native whole answer, an OpenAI SSE event or an OpenAI whole answer. Counts and durations are -1
 * when absent. Reused from object to object by the reader that fills it.
 */
final class ChunkFacts {
  /** Carries generated text, thinking or tool calls. */
  boolean output;

  /** Native {@code "done": true}: the final chunk, with the counts. */
  boolean done;

  /** An {@code error} field: Ollama reporting a failure. */
  boolean error;

  /** An OpenAI choice with a {@code finish_reason}. */
  boolean finished;

  String doneReason;
  long promptEvalCount;
  long evalCount;
  long totalDuration;
  long loadDuration;
  long promptEvalDuration;
  long evalDuration;

  /** OpenAI {@code usage.prompt_tokens} and {@code usage.completion_tokens}. */
  long usagePromptTokens;

  long usageCompletionTokens;

  void clear() {
    output = false;
    done = false;
    error = false;
    finished = false;
    doneReason = null;
    promptEvalCount = -1;
    evalCount = -1;
    totalDuration = -1;
    loadDuration = -1;
    promptEvalDuration = -1;
    evalDuration = -1;
    usagePromptTokens = -1;
    usageCompletionTokens = -1;
  }
}
