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

  /**
   * Bytes up to the end of the last whole line, or -1 when the file ends with one; a line cut short
   * is what was being written when the run before was killed.
   */
  private final long wholeLines;

  private BatchPrevious(Map<String, String> outcomes, long wholeLines) {
    this.outcomes = outcomes;
    this.wholeLines = wholeLines;
  }

  /** No earlier run. */
  static BatchPrevious none() {
    return new BatchPrevious(Map.of(), -1);
  }

  /** Reads {@code file}; a line that is not a result row is an error naming it. */
  static BatchPrevious read(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > BatchInput.MAX_BYTES) {
        throw new TinyLlmException(
            file + ": larger than " + (BatchInput.MAX_BYTES >> 20) + " MiB; start a new output");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new TinyLlmException("Cannot read the earlier results in " + file + ": " + e, e);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    List<String> lines = text.lines().toList();
    boolean torn = bytes.length > 0 && bytes[bytes.length - 1] != '\n';
    long wholeLines = -1;
    if (torn) {
      wholeLines = 0;
      for (int i = bytes.length - 1; i >= 0; i--) {
        if (bytes[i] == '\n') {
          wholeLines = i + 1;
          break;
        }
      }
    }
    Map<String, String> outcomes = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || (i == lines.size() - 1 && torn)) {
        continue; // a torn last line is cut before appending: its prompt runs again
      }
      JsonNode row = null;
      try {
        row = BatchInput.LINE_READER.readTree(line);
      } catch (JsonProcessingException e) {
        // handled below
      }
      if (row == null
          || !row.isObject()
          || !row.path("outcome").isTextual()
          || !row.path("line").canConvertToInt()) {
        throw new TinyLlmException(
            file + ":" + (i + 1) + ": not a result row of tinyllm batch; is it the right file?");
      }
      outcomes.put(
          BatchInput.Prompt.key(row.get("id"), row.get("line").asInt()),
          row.get("outcome").asText());
    }
    return new BatchPrevious(Map.copyOf(outcomes), wholeLines);
  }

  /** The outcome of {@code prompt}'s last row ({@code success}, {@code error}, ...), or null. */
  String outcome(BatchInput.Prompt prompt) {
    return outcomes.get(prompt.key());
  }

  /** The length to cut the file to before appending (dropping a torn last line), or -1. */
  long wholeLines() {
    return wholeLines;
  }
}
