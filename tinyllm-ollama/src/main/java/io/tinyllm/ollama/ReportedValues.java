package io.tinyllm.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyllm.api.error.MalformedResponseException;
import java.util.List;

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
   * Checks the numbers of the final chunk or answer {@code node} from {@code model}.
   *
   * @throws MalformedResponseException if one is not a whole number from 0 up
   */
  static void check(JsonNode node, String model, String what) {
    for (String field : NUMBERS) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        continue;
      }
      if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
        throw new MalformedResponseException(
            "Ollama's "
                + what
                + (model == null ? "" : " for model '" + model + "'")
                + " has '"
                + field
                + "': "
                + OllamaJson.abbreviate(value.toString())
                + ", not a whole number from 0 up");
      }
    }
  }

  /**
   * Checks that the non-streamed answer {@code node} is final ({@code "done": true}) and that its
   * numbers are sound.
   *
   * @throws MalformedResponseException if it is not
   */
  static void requireFinal(JsonNode node, String model, String what) {
    JsonNode done = node.get("done");
    if (done == null || !done.isBoolean() || !done.booleanValue()) {
      throw new MalformedResponseException(
          "Ollama's "
              + what
              + (model == null ? "" : " for model '" + model + "'")
              + " that is not final: "
              + (done == null
                  ? "no \"done\""
                  : "\"done\": " + OllamaJson.abbreviate(done.toString()))
              + " where a complete answer has \"done\": true");
    }
    check(node, model, what);
  }

  /**
   * Checks the numbers of the final chunk or answer {@code chunk} from {@code model}, as {@link
   * #check(JsonNode, String, String)}.
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
   * Checks that the non-streamed answer {@code chunk} is final and its numbers sound, as {@link
   * #requireFinal(JsonNode, String, String)}.
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
