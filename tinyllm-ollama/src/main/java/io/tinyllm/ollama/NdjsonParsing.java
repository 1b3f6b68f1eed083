package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyllm.api.error.StreamException;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * <b>Internal, not part of the API</b>: may change or go in any release. The per-chunk parsing a
 * streamed generate or chat does on its stream thread — parse the line into a Jackson tree, look
 * for an {@code error}, take the {@code response}/{@code message.content} and {@code thinking}
 * text, tool calls and log probabilities, check {@code done}, append — and the final response built
 * from the last chunk, with no HTTP, threads, listener or metrics. It is public only so that {@code
 * NdjsonParseBenchmark} can measure that work from its own package, instead of sitting in this one
 * (one package, one jar).
 *
 * <pre>{@code
 * LlmResponse answer = NdjsonParsing.parseStream(List.of(
 *     "{\"response\":\"Hi\",\"done\":false}",
 *     "{\"response\":\"\",\"done\":true,\"eval_count\":1}"), "qwen2.5:0.5b");
 * }</pre>
 */
public final class NdjsonParsing {
  private NdjsonParsing() {}

  /**
   * The response of the stream whose NDJSON lines are {@code lines}, up to its first chunk with
   * {@code "done": true}; blank lines are skipped.
   *
   * @throws io.tinyllm.api.error.MalformedResponseException if a line is not JSON
   * @throws StreamException if a chunk reports an error, or no chunk is final
   */
  public static LlmResponse parseStream(List<String> lines, String model) {
    requireNonNull(lines, "lines is null");
    requireNonNull(model, "model is null");
    StringBuilder text = new StringBuilder();
    StringBuilder thinking = new StringBuilder();
    List<ToolCall> toolCalls = new ArrayList<>();
    List<Logprob> logprobs = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode chunk = OllamaJson.parse(line, "stream chunk");
      String error = OllamaJson.error(chunk);
      if (error != null) {
        throw new StreamException(
            "Ollama reported an error in the stream from model '" + model + "': " + error);
      }
      text.append(OllamaJson.text(chunk));
      thinking.append(OllamaJson.thinking(chunk));
      toolCalls.addAll(OllamaJson.toolCalls(chunk));
      logprobs.addAll(OllamaJson.logprobs(chunk));
      if (OllamaJson.done(chunk)) {
        ReportedValues.check(chunk, model, "final chunk");
        return OllamaJson.response(
            chunk, model, text.toString(), thinking.toString(), toolCalls, logprobs);
      }
    }
    throw new StreamException(
        "The stream from model '" + model + "' ended before its final chunk (no \"done\": true)");
  }
}
