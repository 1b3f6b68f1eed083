package io.tinyllm.api.llm;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A finished completion with the figures the server reported for it (Ollama's final chunk).
 * Durations the server did not report are {@link Duration#ZERO}.
 *
 * @param text the answer ({@code response} of generate, {@code message.content} of chat)
 * @param thinking the model's thinking when asked for, else {@code null}
 * @param doneReason why generation stopped: {@code stop}, {@code length}, {@code load}, ...
 * @param promptTokens tokens of the prompt the model evaluated ({@code prompt_eval_count})
 * @param outputTokens tokens generated ({@code eval_count})
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
    Duration evalDuration) {

  public LlmResponse {
    requireNonNull(model, "model is null");
    requireNonNull(text, "text is null");
    totalDuration = totalDuration == null ? Duration.ZERO : totalDuration;
    loadDuration = loadDuration == null ? Duration.ZERO : loadDuration;
    promptEvalDuration = promptEvalDuration == null ? Duration.ZERO : promptEvalDuration;
    evalDuration = evalDuration == null ? Duration.ZERO : evalDuration;
  }

  /** Output tokens per second of generation as the server measured it; 0 when unknown. */
  public double tokensPerSecond() {
    long nanos = evalDuration.toNanos();
    return nanos <= 0 ? 0.0 : outputTokens * 1e9 / nanos;
  }
}
