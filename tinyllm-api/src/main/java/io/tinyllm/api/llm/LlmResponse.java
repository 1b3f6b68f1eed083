package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * A finished completion with the figures the server reported for it (Ollama's final chunk).
 * Durations the server did not report are {@link Duration#ZERO}.
 *
 * @param text the answer ({@code response} of generate, {@code message.content} of chat)
 * @param thinking the model's thinking when asked for, else {@code null}
 * @param doneReason why generation stopped: {@code stop}, {@code length}, {@code load}, ...
 * @param promptTokens tokens of the prompt the model evaluated ({@code prompt_eval_count})
 * @param outputTokens tokens generated ({@code eval_count})
 * @param toolCalls the tools the model asked to call ({@code message.tool_calls}), in order; empty
 *     when it answered in text. A tool-call answer usually has empty {@code text}.
 * @param logprobs the log probability of each generated token when the request asked for them
 *     ({@code logprobs}), else empty
 * @param cached whether this answer was served from a response cache rather than by the model now
 *     (its figures are those of the call that was cached)
 */
public record LlmResponse(
    String model,
    String text,
    String thinking,
    String doneReason,
    long promptTokens,
    long outputTokens,
    Duration totalDuration,
    Duration loadDuration,
    Duration promptEvalDuration,
    Duration evalDuration,
    List<ToolCall> toolCalls,
    List<Logprob> logprobs,
    boolean cached) {

  public LlmResponse {
    requireNonNull(model, "model is null");
    requireNonNull(text, "text is null");
    totalDuration = totalDuration == null ? Duration.ZERO : totalDuration;
    loadDuration = loadDuration == null ? Duration.ZERO : loadDuration;
    promptEvalDuration = promptEvalDuration == null ? Duration.ZERO : promptEvalDuration;
    evalDuration = evalDuration == null ? Duration.ZERO : evalDuration;
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    logprobs = logprobs == null ? List.of() : List.copyOf(logprobs);
  }

  /** An answer the model gave now (not from a cache). */
  public LlmResponse(
      String model,
      String text,
      String thinking,
      String doneReason,
      long promptTokens,
      long outputTokens,
      Duration totalDuration,
      Duration loadDuration,
      Duration promptEvalDuration,
      Duration evalDuration,
      List<ToolCall> toolCalls,
      List<Logprob> logprobs) {
    this(
        model,
        text,
        thinking,
        doneReason,
        promptTokens,
        outputTokens,
        totalDuration,
        loadDuration,
        promptEvalDuration,
        evalDuration,
        toolCalls,
        logprobs,
        false);
  }

  /** A text answer: no tool calls, no log probabilities. */
  public LlmResponse(
      String model,
      String text,
      String thinking,
      String doneReason,
      long promptTokens,
      long outputTokens,
      Duration totalDuration,
      Duration loadDuration,
      Duration promptEvalDuration,
      Duration evalDuration) {
    this(
        model,
        text,
        thinking,
        doneReason,
        promptTokens,
        outputTokens,
        totalDuration,
        loadDuration,
        promptEvalDuration,
        evalDuration,
        List.of(),
        List.of());
  }

  /** This answer, as served from a cache: {@link #cached()} is true. */
  public LlmResponse fromCache() {
    return new LlmResponse(
        model,
        text,
        thinking,
        doneReason,
        promptTokens,
        outputTokens,
        totalDuration,
        loadDuration,
        promptEvalDuration,
        evalDuration,
        toolCalls,
        logprobs,
        true);
  }

  /** Output tokens per second of generation as the server measured it; 0 when unknown. */
  public double tokensPerSecond() {
    long nanos = evalDuration.toNanos();
    return nanos <= 0 ? 0.0 : outputTokens * 1e9 / nanos;
  }
}
