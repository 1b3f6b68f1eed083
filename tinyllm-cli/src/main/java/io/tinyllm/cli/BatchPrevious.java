package io.tinyllm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tinyllm.api.error.TinyLlmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an earlier run left in a batch's output file, for {@code --resume} and {@code
 * --retry-failed}: the outcome of each prompt's last row, by {@link BatchInput.Prompt#key()} (its
 * id, else its line number). Rows are appended, so a later row of a prompt overrides an earlier
 * one.
 */
final class BatchPrevious {
  private final Map<String, String> outcomes;

  /** Whether the file ends in a line cut short (the run before was killed while writing it). */
  private final boolean tornLastLine;

  private BatchPrevious(Map<String, String> outcomes, boolean tornLastLine) {
    this.outcomes = outcomes;
    this.tornLastLine = tornLastLine;
  }

  /** No earlier run. */
  static BatchPrevious none() {
    return new BatchPrevious(Map.of(), false);
  }

  /** Reads {@code file}; a line that is not a result row is an error naming it. */
  static BatchPrevious read(Path file) {
    String text;
    try {
      if (Files.size(file) > BatchInput.MAX_BYTES) {
        throw new TinyLlmException(
            file + ": larger than " + (BatchInput.MAX_BYTES >> 20) + " MiB; start a new output");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new TinyLlmException("Cannot read the earlier results in " + file + ": " + e, e);
    }
    List<String> lines = text.lines().toList();
    boolean torn = !text.isEmpty() && !text.endsWith("\n");
    Map<String, String> outcomes = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      JsonNode row = null;
      try {
        row = BatchInput.LINE_READER.readTree(line);
      } catch (JsonProcessingException e) {
        // handled below
      }
      boolean last = i == lines.size() - 1;
      if (row == null
          || !row.isObject()
          || !row.path("outcome").isTextual()
          || !row.path("line").canConvertToInt()) {
        if (last && torn) {
          continue; // the row being written when the earlier run died: that prompt runs again
        }
        throw new TinyLlmException(
            file + ":" + (i + 1) + ": not a result row of tinyllm batch; is it the right file?");
      }
      outcomes.put(
          BatchInput.Prompt.key(row.get("id"), row.get("line").asInt()),
          row.get("outcome").asText());
    }
    return new BatchPrevious(Map.copyOf(outcomes), torn);
  }

  /** The outcome of {@code prompt}'s last row ({@code success}, {@code error}, ...), or null. */
  String outcome(BatchInput.Prompt prompt) {
    return outcomes.get(prompt.key());
  }

  boolean tornLastLine() {
    return tornLastLine;
  }
}
