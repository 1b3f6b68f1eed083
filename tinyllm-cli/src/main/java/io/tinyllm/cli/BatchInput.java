package io.tinyllm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tinyllm.api.error.TinyLlmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The prompts of a batch file: JSONL ({@code {"prompt": "...", "model": "...", "id": "..."}} per
 * line; {@code model} and {@code id} optional) or plain text (one prompt per line). Blank lines are
 * skipped. Every bad line is reported, each as {@code file:line: what is wrong}, so a user fixes
 * them all at once.
 */
final class BatchInput {
  /** One prompt and where it was written. */
  record Prompt(int index, int line, String id, String prompt, String model) {}

  /** The prompts read, or the problems found (then nothing should run). */
  record Parsed(List<Prompt> prompts, List<String> errors) {}

  /**
   * One line is exactly one JSON value: a second object or trailing text after the first is an
   * error (Jackson would otherwise stop after the first value), and so is a key given twice
   * (otherwise the last would silently win).
   */
  private static final ObjectReader LINE_READER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build()
          .reader();

  private BatchInput() {}

  /** Reads {@code file} as {@code format}: {@code jsonl}, {@code text} or {@code auto}. */
  static Parsed read(String file, String format) {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new TinyLlmException("Cannot read prompts: no such file " + file);
    } catch (IOException e) {
      throw new TinyLlmException("Cannot read prompts from " + file + ": " + e.getMessage(), e);
    }
    boolean jsonl =
        switch (format) {
          case "jsonl" -> true;
          case "text" -> false;
          default -> looksLikeJsonl(file, lines);
        };
    List<Prompt> prompts = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      int lineNumber = i + 1;
      if (jsonl) {
        Prompt prompt = parseJson(file, lineNumber, line, prompts.size(), errors);
        if (prompt != null) {
          prompts.add(prompt);
        }
      } else {
        prompts.add(new Prompt(prompts.size(), lineNumber, null, line.strip(), null));
      }
    }
    if (prompts.isEmpty() && errors.isEmpty()) {
      errors.add(file + ": no prompts (the file is empty)");
    }
    return new Parsed(List.copyOf(prompts), List.copyOf(errors));
  }

  private static boolean looksLikeJsonl(String file, List<String> lines) {
    String lower = file.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) {
      return true;
    }
    return lines.stream()
        .filter(l -> !l.isBlank())
        .findFirst()
        .map(l -> l.strip().startsWith("{"))
        .orElse(false);
  }

  private static Prompt parseJson(
      String file, int line, String text, int index, List<String> errors) {
    String where = file + ":" + line + ": ";
    JsonNode node;
    try {
      node = LINE_READER.readTree(text);
    } catch (MismatchedInputException e) {
      // FAIL_ON_TRAILING_TOKENS: the line went on after its first value
      errors.add(where + "invalid JSON: more than one value on the line (one object per line)");
      return null;
    } catch (JsonProcessingException e) {
      errors.add(where + "invalid JSON: " + e.getOriginalMessage());
      return null;
    }
    if (node == null || !node.isObject()) {
      errors.add(where + "expected a JSON object such as {\"prompt\": \"...\"}");
      return null;
    }
    JsonNode prompt = node.get("prompt");
    JsonNode model = node.get("model");
    JsonNode id = node.get("id");
    int before = errors.size();
    if (prompt == null || prompt.isNull()) {
      errors.add(where + "\"prompt\" is missing");
    } else if (!prompt.isTextual() || prompt.asText().isBlank()) {
      errors.add(where + "\"prompt\" must be a non-empty string");
    }
    if (model != null && !model.isNull() && (!model.isTextual() || model.asText().isBlank())) {
      errors.add(where + "\"model\" must be a non-empty string");
    }
    if (id != null && !id.isNull() && !id.isTextual() && !id.isNumber()) {
      errors.add(where + "\"id\" must be a string or a number");
    }
    if (errors.size() > before) {
      return null;
    }
    return new Prompt(
        index,
        line,
        id == null || id.isNull() ? null : id.asText(),
        prompt.asText(),
        model == null || model.isNull() ? null : model.asText());
  }
}
