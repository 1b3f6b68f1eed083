package io.tinyllm.ollama;

import io.tinyllm.api.error.MalformedResponseException;
import java.util.List;
import java.util.Map;

/**
 * Checks the values Ollama reports before anything uses them: counts and durations are whole
 * numbers, never negative (Go's {@code int} and {@code time.Duration}), and a non-streamed answer
 * is final ({@code "done": true}). A value that is not gives a {@link MalformedResponseException}
 * naming the field, so that a broken or hostile server fails its call as malformed instead of
 * reaching the metrics as a negative increment or a silent zero.
 *
 * <pre>{@code
 * ReportedValues.requireFinal(chunk, model, "answer");
 * LlmResponse response = OllamaJson.response(chunk, model, text, thinking, calls, probs);
 * }</pre>
 */
final class ReportedValues {
  /** The counts and durations of a final generate, chat or embed answer. */
  static final List<String> NUMBERS =
      List.of(
          "prompt_eval_count",
          "eval_count",
          "total_duration",
          "load_duration",
          "prompt_eval_duration",
          "eval_duration");

  private ReportedValues() {}

  /**
   * Checks the numbers of the final answer {@code answer} from {@code model}.
   *
   * @throws MalformedResponseException if one is not a whole number from 0 up
   */
  static void check(Map<String, Object> answer, String model, String what) {
    for (String field : NUMBERS) {
      Object value = answer.get(field);
      if (value == null) {
        continue;
      }
      if (!JsonValues.isLong(value) || ((Number) value).longValue() < 0) {
        throw new MalformedResponseException(
            "Ollama's "
                + what
                + (model == null ? "" : " for model '" + model + "'")
                + " has '"
                + field
                + "': "
                + OllamaJson.abbreviate(JsonValues.json(value))
                + ", not a whole number from 0 up");
      }
    }
  }

  /**
   * Checks the numbers of the final chunk or answer {@code chunk} from {@code model}, as {@link
   * #check(Map, String, String)}.
   */
  static void check(Chunk chunk, String model, String what) {
    if (chunk.invalidField() != null) {
      throw new MalformedResponseException(
          "Ollama's "
              + what
              + (model == null ? "" : " for model '" + model + "'")
              + " has '"
              + chunk.invalidField()
              + "': "
              + OllamaJson.abbreviate(chunk.invalidText())
              + ", not a whole number from 0 up");
    }
  }

  /**
   * Checks that the non-streamed answer {@code chunk} is final ({@code "done": true}) and that its
   * numbers are sound.
   */
  static void requireFinal(Chunk chunk, String model, String what) {
    if (!chunk.done()) {
      String done = chunk.doneText();
      throw new MalformedResponseException(
          "Ollama's "
              + what
              + (model == null ? "" : " for model '" + model + "'")
              + " that is not final: "
              + (done == null ? "no \"done\"" : "\"done\": " + OllamaJson.abbreviate(done))
              + " where a complete answer has \"done\": true");
    }
    check(chunk, model, what);
  }
}
