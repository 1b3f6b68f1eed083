package io.tinyllm.ollama.sim;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Small formatting rules Ollama's Go server follows on the wire. Numbers are formatted with {@link
 * Locale#ROOT}: under a German default locale {@code %.2f} writes {@code 494,03}.
 */
final class WireFormat {
  private WireFormat() {}

  /** An RFC 3339 timestamp with fractional seconds, as Go marshals {@code time.Time}. */
  static String timestamp(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }

  /** Now, as {@link #timestamp(Instant)}. */
  static String now() {
    return timestamp(Instant.now());
  }

  /** Go's {@code %q}: a double-quoted string with backslash escapes. */
  static String goQuote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * Ollama's {@code format.HumanNumber}, used for {@code parameter_size}: {@code 494032768} is
   * {@code "494.03M"}, {@code 1543714304} is {@code "1.5B"}.
   */
  static String humanNumber(long value) {
    double billions = value / 1e9;
    double millions = value / 1e6;
    double thousands = value / 1e3;
    if (value >= 1_000_000_000L) {
      return billions == Math.floor(billions)
          ? String.format(Locale.ROOT, "%.0fB", billions)
          : String.format(Locale.ROOT, "%.1fB", billions);
    }
    if (value >= 1_000_000L) {
      return millions == Math.floor(millions)
          ? String.format(Locale.ROOT, "%.0fM", millions)
          : String.format(Locale.ROOT, "%.2fM", millions);
    }
    if (value >= 1_000L) {
      return thousands == Math.floor(thousands)
          ? String.format(Locale.ROOT, "%.0fK", thousands)
          : String.format(Locale.ROOT, "%.2fK", thousands);
    }
    return Long.toString(value);
  }
}
