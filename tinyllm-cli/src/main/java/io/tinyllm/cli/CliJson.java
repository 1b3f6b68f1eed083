package io.tinyllm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.time.Duration;

/** JSON output: maps and lists of plain values, written by Jackson. */
final class CliJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CliJson() {}

  static ObjectMapper mapper() {
    return MAPPER;
  }

  /** One line, for JSONL. */
  static String line(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Indented, for a single object on stdout. */
  static String pretty(Object value) {
    try {
      return PRETTY.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Seconds with millisecond precision as a JSON number. */
  static double seconds(Duration duration) {
    return Math.round(duration.toNanos() / 1e6) / 1e3;
  }
}
