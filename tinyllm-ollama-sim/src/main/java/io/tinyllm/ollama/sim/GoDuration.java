package io.tinyllm.ollama.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/**
 * Parses {@code keep_alive} exactly as Ollama's {@code api.Duration} does: a JSON number is
 * seconds, a string is a Go duration ({@code "5m"}, {@code "1h30m"}, {@code "300ms"}), and a
 * negative value means "keep loaded forever". Errors carry Go's wording.
 */
final class GoDuration {
  /** Stands for "forever" (Go uses the largest duration too). */
  static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);

  private static final Map<String, Long> UNITS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "\u00b5s", 1_000L,
          "\u03bcs", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private GoDuration() {}

  /**
   * The keep-alive of a request, or {@code null} when the field is absent or JSON null (the server
   * default applies).
   *
   * @throws ApiException 400 when the value is not a number or a valid duration string
   */
  static Duration keepAlive(JsonNode node, String struct) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isNumber()) {
      double seconds = node.asDouble();
      if (seconds < 0) {
        return FOREVER;
      }
      return Duration.ofNanos((long) Math.min(seconds * 1e9, Long.MAX_VALUE));
    }
    if (node.isTextual()) {
      Duration parsed = parse(node.asText());
      return parsed.isNegative() ? FOREVER : parsed;
    }
    throw new ApiException(
        400,
        "json: cannot unmarshal "
            + RequestBody.goType(node)
            + " into Go struct field "
            + struct
            + ".keep_alive of type api.Duration");
  }

  /** Go's {@code time.ParseDuration}. */
  static Duration parse(String text) {
    String s = text;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if ("0".equals(s)) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(text);
    }
    BigDecimal total = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int numberStart = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(numberStart, i);
      if (number.isEmpty()
          || ".".equals(number)
          || number.indexOf('.') != number.lastIndexOf('.')) {
        throw invalid(text);
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      if (unit.isEmpty()) {
        throw new ApiException(400, "time: missing unit in duration " + WireFormat.goQuote(text));
      }
      Long nanosPerUnit = UNITS.get(unit);
      if (nanosPerUnit == null) {
        throw new ApiException(
            400,
            "time: unknown unit "
                + WireFormat.goQuote(unit)
                + " in duration "
                + WireFormat.goQuote(text));
      }
      total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(nanosPerUnit)));
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw invalid(text);
    }
    long nanos = total.longValue();
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  private static ApiException invalid(String text) {
    return new ApiException(400, "time: invalid duration " + WireFormat.goQuote(text));
  }
}
