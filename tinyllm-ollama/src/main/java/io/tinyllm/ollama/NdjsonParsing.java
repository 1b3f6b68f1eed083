package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.StreamException;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.Logprob;
import io.tinyllm.api.llm.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * <b>Internal, not part of the API</b>: may change or go in any release. The per-chunk parsing a
 * streamed generate or chat does on its stream thread — read the chunk's fields with {@link
 * ChunkReader}, look for an {@code error}, take the {@code response}/{@code message.content} and
 * {@code thinking} text, tool calls and log probabilities, check {@code done}, append — and the
 * final response built from the last chunk, with no HTTP, threads, listener or metrics. It is
 * public only so that {@code NdjsonParseBenchmark} can measure that work from its own package,
 * instead of sitting in this one (one package, one jar).
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
    ChunkReader reader = ChunkReader.keepingContent(Integer.MAX_VALUE);
    for (String line : lines) {
      byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
      reader.feed(bytes, 0, bytes.length);
      for (Chunk chunk; (chunk = reader.next()) != null; ) {
        String error = OllamaJson.error(chunk);
        if (error != null) {
          throw new StreamException(
              "Ollama reported an error in the stream from model '" + model + "': " + error);
        }
        text.append(chunk.text());
        thinking.append(chunk.thinking());
        toolCalls.addAll(chunk.toolCalls());
        logprobs.addAll(chunk.logprobs());
        if (OllamaJson.done(chunk)) {
          ReportedValues.check(chunk, model, "final chunk");
          return OllamaJson.response(
              chunk, model, text.toString(), thinking.toString(), toolCalls, logprobs);
        }
      }
    }
    reader.end();
    reader.next(); // fails if the last line stopped inside a chunk
    throw new StreamException(
        "The stream from model '" + model + "' ended before its final chunk (no \"done\": true)");
  }
}
