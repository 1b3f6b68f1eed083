package io.tinyllm.ollama;

import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.ToolCall;
import java.util.List;

/**
 * <b>Internal, not part of the API</b>: what one top-level JSON object of an answer said, as read
 * by {@link ChunkReader}: a native NDJSON chunk or whole answer, an OpenAI SSE event or whole
 * answer. Counts and durations are -1 when absent or not a whole number from 0 up (see {@link
 * #invalidField()}). Texts, tool calls and log probabilities are kept only by a reader made with
 * {@link ChunkReader#keepingContent(int)}; a reader made for metrics sees only whether there was
 * output. The reader reuses one instance from object to object: read it before asking for the next.
 */
public final class Chunk {
  boolean output;
  boolean done;
  String doneText;
  boolean error;
  String errorText;
  boolean finished;
  String model;
  String doneReason;
  String response;
  String content;
  String thinking;
  String messageThinking;
  List<ToolCall> toolCalls = List.of();
  List<Logprob> logprobs = List.of();
  long promptEvalCount;
  long evalCount;
  long totalDuration;
  long loadDuration;
  long promptEvalDuration;
  long evalDuration;
  long usagePromptTokens;
  long usageCompletionTokens;
  String invalidField;
  String invalidText;

  Chunk() {
    clear();
  }

  /** Carries generated text, thinking or tool calls. */
  public boolean output() {
    return output;
  }

  /** Native {@code "done": true}: the final chunk, with the counts. */
  public boolean done() {
    return done;
  }

  /**
   * The JSON text of {@code done} when it is there ({@code true}, {@code false}, or whatever else a
   * broken server sent), else {@code null}.
   */
  public String doneText() {
    return doneText;
  }

  /** An {@code error} field that is not null: the server reporting a failure. */
  public boolean error() {
    return error;
  }

  /**
   * The error's text: the string itself, or the JSON text of an error object; {@code null} if none
   * or if the reader keeps no content.
   */
  public String errorText() {
    return errorText;
  }

  /** An OpenAI choice with a {@code finish_reason}. */
  public boolean finished() {
    return finished;
  }

  /** The {@code model} the answer names, or {@code null}. */
  public String model() {
    return model;
  }

  /** Native {@code done_reason}, or {@code null}. */
  public String doneReason() {
    return doneReason;
  }

  /** The output text: {@code response} (generate) or {@code message.content} (chat), or "". */
  public String text() {
    if (response != null) {
      return response;
    }
    return content == null ? "" : content;
  }

  /** The thinking text: {@code thinking} (generate) or {@code message.thinking} (chat), or "". */
  public String thinking() {
    if (thinking != null) {
      return thinking;
    }
    return messageThinking == null ? "" : messageThinking;
  }

  /** The tool calls of {@code message.tool_calls} (or {@code tool_calls} in generate), in order. */
  public List<ToolCall> toolCalls() {
    return toolCalls;
  }

  /** The log probabilities of the chunk's tokens, in order. */
  public List<Logprob> logprobs() {
    return logprobs;
  }

  public long promptEvalCount() {
    return promptEvalCount;
  }

  public long evalCount() {
    return evalCount;
  }

  public long totalDuration() {
    return totalDuration;
  }

  public long loadDuration() {
    return loadDuration;
  }

  public long promptEvalDuration() {
    return promptEvalDuration;
  }

  public long evalDuration() {
    return evalDuration;
  }

  /** OpenAI {@code usage.prompt_tokens}, or -1. */
  public long usagePromptTokens() {
    return usagePromptTokens;
  }

  /** OpenAI {@code usage.completion_tokens}, or -1. */
  public long usageCompletionTokens() {
    return usageCompletionTokens;
  }

  /**
   * The first count or duration that was not a whole number from 0 up (e.g. {@code eval_count}), or
   * {@code null}; {@link #invalidText()} is its JSON text.
   */
  public String invalidField() {
    return invalidField;
  }

  public String invalidText() {
    return invalidText;
  }

  void clear() {
    output = false;
    done = false;
    doneText = null;
    error = false;
    errorText = null;
    finished = false;
    model = null;
    doneReason = null;
    response = null;
    content = null;
    thinking = null;
    messageThinking = null;
    toolCalls = List.of();
    logprobs = List.of();
    promptEvalCount = -1;
    evalCount = -1;
    totalDuration = -1;
    loadDuration = -1;
    promptEvalDuration = -1;
    evalDuration = -1;
    usagePromptTokens = -1;
    usageCompletionTokens = -1;
    invalidField = null;
    invalidText = null;
  }
}
