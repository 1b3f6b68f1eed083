package io.tinyllm.api.config;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.ConfigException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of settings, command-line options and graph files.
 *
 * <pre>{@code
 * Durations.parse("500ms");   // PT0.5S
 * Durations.parse("1.5s");    // PT1.5S
 * Durations.parse("1h30m");   // PT1H30M
 * Durations.parse("30");      // PT30S: a bare number is seconds
 * }</pre>
 *
 * <p>A duration is a bare number of seconds, or one or more parts of a number and a unit, the units
 * from largest to smallest and each at most once: {@code d}, {@code h}, {@code m}, {@code s},
 * {@code ms}. Numbers are decimal and may have a fraction ({@code 1.5s}, {@code 0.25h}); signs,
 * exponents, spaces inside and upper-case units are not accepted, nor anything finer than a
 * nanosecond or longer than {@link Duration} holds.
 *
 * <p>{@link Duration#parse} reads only ISO-8601 ({@code PT1H30M}), and none of our libraries offers
 * this short form, so the few lines here are our own.
 */
public final class Durations {
  /** Examples and rules of the grammar, for error messages and help texts. */
  public static final String EXAMPLES =
      "500ms, 1.5s, 2m or 1h30m (units d, h, m, s, ms, largest first; a bare number is seconds)";

  private static final String NUMBER = "(\\d+(?:\\.\\d+)?)";
  private static final Pattern BARE = Pattern.compile(NUMBER);
  private static final Pattern PARTS =
      Pattern.compile(
          "(?:" + NUMBER + "d)?(?:" + NUMBER + "h)?(?:" + NUMBER + "m)?(?:" + NUMBER + "s)?(?:"
              + NUMBER + "ms)?");
  private static final long[] NANOS_PER_UNIT = {
    86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L
  };
  private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
  // Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), the longest Duration there is
  private static final BigDecimal MAX_NANOS =
      BigDecimal.valueOf(Long.MAX_VALUE)
          .multiply(NANOS_PER_SECOND)
          .add(BigDecimal.valueOf(999_999_999L));

  private Durations() {}

  /**
   * The duration {@code text} denotes (surrounding blanks ignored), or a {@link ConfigException}:
   * {@code '5 minutes' is not a duration: expected one such as 500ms, 1.5s, ...}.
   */
  public static Duration parse(String text) {
    requireNonNull(text, "text is null");
    Parsed parsed = read(text);
    if (parsed.value() == null) {
      throw new ConfigException(
          "'"
              + text
              + "' is not a duration"
              + parsed.problem()
              + ": expected one such as "
              + EXAMPLES);
    }
    return parsed.value();
  }

  /**
   * As {@link #parse(String)}, the error naming {@code what} ({@code setting 'cache.ttl'}, {@code
   * --duration}): {@code Invalid value '5 minutes' for setting 'cache.ttl': expected a duration
   * such as 500ms, 1.5s, ...}.
   */
  public static Duration parse(String text, String what) {
    requireNonNull(text, "text is null");
    requireNonNull(what, "what is null");
    Parsed parsed = read(text);
    if (parsed.value() == null) {
      throw new ConfigException(
          "Invalid value '"
              + text
              + "' for "
              + what
              + parsed.problem()
              + ": expected a duration such as "
              + EXAMPLES);
    }
    return parsed.value();
  }

  /**
   * {@code duration} written so that {@link #parse(String)} reads it back exactly: {@code 1.5s},
   * {@code 0.0005s}, {@code 3600s}.
   */
  public static String format(Duration duration) {
    requireNonNull(duration, "duration is null");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("A duration setting cannot be negative: " + duration);
    }
    BigDecimal seconds =
        BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
    return seconds.stripTrailingZeros().toPlainString() + "s";
  }

  /** The duration, or null and what is wrong beyond not following the grammar (maybe empty). */
  private record Parsed(Duration value, String problem) {}

  private static Parsed read(String text) {
    String trimmed = text.strip();
    BigDecimal nanos = nanos(trimmed);
    if (nanos == null) {
      boolean negative = trimmed.startsWith("-") && nanos(trimmed.substring(1)) != null;
      return new Parsed(null, negative ? " (negative)" : "");
    }
    if (nanos.compareTo(MAX_NANOS) > 0) {
      return new Parsed(null, " (longer than the longest Java Duration)");
    }
    if (nanos.stripTrailingZeros().scale() > 0) {
      return new Parsed(null, " (finer than a nanosecond)");
    }
    BigDecimal[] secondsAndNanos = nanos.divideAndRemainder(NANOS_PER_SECOND);
    return new Parsed(
        Duration.ofSeconds(
            secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValueExact()),
        "");
  }

  /**
   * The nanoseconds {@code text} denotes, maybe fractional or too many; null if not the grammar.
   */
  private static BigDecimal nanos(String text) {
    Matcher bare = BARE.matcher(text);
    if (bare.matches()) {
      return new BigDecimal(bare.group(1)).multiply(NANOS_PER_SECOND);
    }
    Matcher parts = PARTS.matcher(text);
    if (text.isEmpty() || !parts.matches()) {
      return null;
    }
    BigDecimal nanos = BigDecimal.ZERO;
    for (int i = 0; i < NANOS_PER_UNIT.length; i++) {
      String amount = parts.group(i + 1);
      if (amount != null) {
        nanos = nanos.add(new BigDecimal(amount).multiply(BigDecimal.valueOf(NANOS_PER_UNIT[i])));
      }
    }
    return nanos;
  }
}
