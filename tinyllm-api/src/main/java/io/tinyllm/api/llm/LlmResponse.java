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
    List<Logprob> logprobs) {

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

  /** Output tokens per second of generation as the server measured it; 0 when unknown. */
  public double tokensPerSecond() {
    long nanos = evalDuration.toNanos();
    return nanos <= 0 ? 0.0 : outputTokens * 1e9 / nanos;
  }
}
