package io.tinyllm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.api.llm.GenerationOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The prompts of a batch file, or of stdin ({@code -}): JSONL ({@code {"prompt": "...", "id": ...,
 * "model": "...", "system": "...", "options": {...}}} per line; all but {@code prompt} optional) or
 * plain text (one prompt per line). Blank lines are skipped. Every bad line is reported, each as
 * {@code file:line: what is wrong}, so a user fixes them all at once; a field this command would
 * not use is one of them, never silently dropped.
 */
final class BatchInput {
  /** The name that means stdin (for FILE) or stdout (for {@code -o}). */
  static final String STDIO = "-";

  /** The most a batch input may hold: a bound on what a file or a pipe can make us keep. */
  static final long MAX_BYTES = 256L << 20;

  static final Set<String> FIELDS = Set.of("prompt", "id", "model", "system", "options");

  /** Ollama's model options (api/types.go {@code Options} and {@code Runner}) and their kinds. */
  private static final Map<String, Kind> OPTIONS = options();

  private enum Kind {
    INT,
    NUMBER,
    BOOLEAN,
    STRINGS
  }

  /**
   * One prompt and where it was written.
   *
   * @param id the line's id as written (a number stays a number), or null
   * @param system the line's system message, or null
   * @param options the line's model options, or null when it gave none
   */
  record Prompt(
      int index,
      int line,
      JsonNode id,
      String prompt,
      String model,
      String system,
      GenerationOptions options) {
    /** Plain-text prompt. */
    Prompt(int index, int line, String prompt) {
      this(index, line, null, prompt, null, null, null);
    }

    /** What names this prompt across runs: its id, else its line number. */
    String key() {
      return key(id, line);
    }

    static String key(JsonNode id, int line) {
      return id == null || id.isNull() ? "line " + line : "id " + id;
    }
  }

  /** The prompts read, or the problems found (then nothing should run). */
  record Parsed(List<Prompt> prompts, List<String> errors) {}

  /**
   * One line is exactly one JSON value: a second object or trailing text after the first is an
   * error (Jackson would otherwise stop after the first value), and so is a key given twice
   * (otherwise the last would silently win).
   */
  static final ObjectReader LINE_READER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build()
          .reader();

  private BatchInput() {}

  /**
   * Reads {@code file} ({@code -}: {@code stdin}) as {@code format}: {@code jsonl}, {@code text} or
   * {@code auto}.
   */
  static Parsed read(String file, String format, InputStream stdin) {
    String name = file.equals(STDIO) ? "<stdin>" : file;
    List<String> lines = lines(file, stdin).lines().toList();
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
        Prompt prompt = parseJson(name, lineNumber, line, prompts.size(), errors);
        if (prompt != null) {
          prompts.add(prompt);
        }
      } else {
        prompts.add(new Prompt(prompts.size(), lineNumber, line.strip()));
      }
    }
    if (prompts.isEmpty() && errors.isEmpty()) {
      errors.add(
          name + ": no prompts (" + (file.equals(STDIO) ? "stdin" : "the file") + " is empty)");
    }
    return new Parsed(List.copyOf(prompts), List.copyOf(errors));
  }

  private static String lines(String file, InputStream stdin) {
    byte[] bytes;
    try {
      if (file.equals(STDIO)) {
        bytes = stdin.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BYTES + 1));
        if (bytes.length > MAX_BYTES) {
          throw new TinyLlmException(
              "Cannot read prompts: stdin holds more than " + (MAX_BYTES >> 20) + " MiB");
        }
      } else {
        Path path = Path.of(file);
        if (Files.size(path) > MAX_BYTES) {
          throw new TinyLlmException(
              "Cannot read prompts: " + file + " is larger than " + (MAX_BYTES >> 20) + " MiB");
        }
        bytes = Files.readAllBytes(path);
      }
    } catch (NoSuchFileException e) {
      throw new TinyLlmException("Cannot read prompts: no such file " + file);
    } catch (IOException e) {
      throw new TinyLlmException("Cannot read prompts from " + file + ": " + e.getMessage(), e);
    }
    return new String(bytes, StandardCharsets.UTF_8);
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
    int before = errors.size();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!FIELDS.contains(field)) {
        errors.add(
            where
                + "unknown field \""
                + shown(field)
                + "\": expected prompt, id, model, system or options");
      }
    }
    JsonNode prompt = node.get("prompt");
    JsonNode id = node.get("id");
    if (prompt == null || prompt.isNull()) {
      errors.add(where + "\"prompt\" is missing");
    } else if (!prompt.isTextual() || prompt.asText().isBlank()) {
      errors.add(where + "\"prompt\" must be a non-empty string");
    }
    String model = text(node, "model", where, errors);
    String system = text(node, "system", where, errors);
    if (id != null && !id.isNull() && !id.isTextual() && !id.isIntegralNumber()) {
      errors.add(where + "\"id\" must be a string or an integer");
    }
    GenerationOptions options = null;
    JsonNode given = node.get("options");
    if (given != null && !given.isNull()) {
      options = options(given, where, errors);
    }
    if (errors.size() > before) {
      return null;
    }
    return new Prompt(
        index,
        line,
        id == null || id.isNull() ? null : id,
        prompt.asText(),
        model,
        system,
        options);
  }

  private static String text(JsonNode node, String field, String where, List<String> errors) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      errors.add(where + "\"" + field + "\" must be a non-empty string");
      return null;
    }
    return value.asText();
  }

  /**
   * The line's {@code options} as Ollama takes them; a name or a value it would not is an error.
   */
  private static GenerationOptions options(JsonNode options, String where, List<String> errors) {
    if (!options.isObject()) {
      errors.add(where + "\"options\" must be an object such as {\"temperature\": 0}");
      return null;
    }
    GenerationOptions.Builder builder = GenerationOptions.builder();
    Map<String, Object> extra = new LinkedHashMap<>();
    int before = errors.size();
    for (Map.Entry<String, JsonNode> option : options.properties()) {
      String name = option.getKey();
      JsonNode value = option.getValue();
      Kind kind = OPTIONS.get(name);
      String problem = null;
      if (kind == null) {
        errors.add(where + "\"options\": unknown option \"" + shown(name) + "\" for Ollama");
        continue;
      }
      switch (kind) {
        case INT ->
            problem = value.canConvertToInt() && value.isIntegralNumber() ? null : "an integer";
        case NUMBER ->
            problem =
                !value.isNumber() || !Double.isFinite(value.asDouble())
                    ? "a number"
                    : name.equals("temperature") && value.asDouble() < 0 ? "0 or more" : null;
        case BOOLEAN -> problem = value.isBoolean() ? null : "true or false";
        case STRINGS ->
            problem =
                value.isTextual() || (value.isArray() && value.size() <= 64 && allText(value))
                    ? null
                    : "a string or a list of strings";
      }
      if (problem != null) {
        errors.add(where + "\"options\": \"" + name + "\" must be " + problem);
        continue;
      }
      switch (name) {
        case "temperature" -> builder.temperature(value.asDouble());
        case "top_p" -> builder.topP(value.asDouble());
        case "top_k" -> builder.topK(value.asInt());
        case "num_predict" -> builder.numPredict(value.asInt());
        case "seed" -> builder.seed(value.asInt());
        case "num_ctx" -> builder.numCtx(value.asInt());
        case "stop" -> builder.stop(strings(value));
        default ->
            extra.put(
                name,
                switch (kind) {
                  case INT -> value.asInt();
                  case NUMBER -> value.asDouble();
                  case BOOLEAN -> value.asBoolean();
                  case STRINGS -> strings(value);
                });
      }
    }
    return errors.size() > before ? null : builder.extra(extra).build();
  }

  /** A name from the file as a message shows it: printable and short. */
  private static String shown(String name) {
    String printable = name.replaceAll("\\p{Cntrl}", "?");
    return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode item : array) {
      if (!item.isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static List<String> strings(JsonNode value) {
    if (value.isTextual()) {
      return List.of(value.asText());
    }
    List<String> list = new ArrayList<>();
    value.forEach(item -> list.add(item.asText()));
    return list;
  }

  private static Map<String, Kind> options() {
    Map<String, Kind> kinds = new LinkedHashMap<>();
    for (String name :
        List.of(
            "num_keep",
            "seed",
            "num_predict",
            "top_k",
            "repeat_last_n",
            "num_ctx",
            "num_batch",
            "num_gpu",
            "main_gpu",
            "num_thread",
            "draft_num_predict")) {
      kinds.put(name, Kind.INT);
    }
    for (String name :
        List.of(
            "top_p",
            "min_p",
            "typical_p",
            "temperature",
            "repeat_penalty",
            "presence_penalty",
            "frequency_penalty")) {
      kinds.put(name, Kind.NUMBER);
    }
    kinds.put("use_mmap", Kind.BOOLEAN);
    kinds.put("stop", Kind.STRINGS);
    return Map.copyOf(kinds);
  }
}
