package io.tinyllm.executor.expression;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Regular expressions with bounded work, for {@code matches} and the {@code regex_replace}
 * transform: patterns are at most {@value #MAX_PATTERN} characters, inputs at most {@value
 * #MAX_INPUT} characters, and a matcher may read at most {@value #MAX_READS} characters in total,
 * so a backtracking pattern fails with an {@link ExpressionException} instead of hanging a worker.
 *
 * <pre>{@code
 * Pattern p = BoundedMatcher.compile("(\\d+)-(\\d+)");
 * BoundedMatcher.replaceAll(p, "1-2", "$2-$1"); // "2-1"
 * }</pre>
 */
public final class BoundedMatcher {
  public static final int MAX_PATTERN = 256;
  public static final int MAX_INPUT = 10_000;
  public static final long MAX_READS = 1_000_000;

  private BoundedMatcher() {}

  /** Compiles {@code pattern}, or throws an {@link ExpressionException} saying what is wrong. */
  public static Pattern compile(String pattern) {
    if (pattern.length() > MAX_PATTERN) {
      throw new ExpressionException(
          "pattern is " + pattern.length() + " characters long; the limit is " + MAX_PATTERN);
    }
    try {
      return Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new ExpressionException(
          "invalid pattern: " + e.getDescription() + " near index " + e.getIndex());
    }
  }

  /**
   * Checks a replacement of {@link #replaceAll}: {@code $n} must name one of the pattern's groups,
   * {@code ${name}} one of its named groups, and {@code \} must escape a character.
   */
  public static void checkReplacement(Pattern pattern, String replacement) {
    int groups = pattern.matcher("").groupCount();
    for (int i = 0; i < replacement.length(); i++) {
      char c = replacement.charAt(i);
      if (c == '\\') {
        if (++i == replacement.length()) {
          throw new ExpressionException("replacement ends with a lone '\\'");
        }
      } else if (c == '$') {
        if (i + 1 == replacement.length()) {
          throw new ExpressionException("replacement ends with a lone '$' (write \\$)");
        }
        char next = replacement.charAt(i + 1);
        if (next == '{') {
          int close = replacement.indexOf('}', i + 2);
          String name = close < 0 ? "" : replacement.substring(i + 2, close);
          if (close < 0 || !pattern.pattern().contains("(?<" + name + ">")) {
            throw new ExpressionException(
                "replacement refers to a group '${" + name + "}' the pattern does not name");
          }
          i = close;
        } else if (next >= '0' && next <= '9') {
          if (next - '0' > groups) {
            throw new ExpressionException(
                "replacement refers to group $"
                    + next
                    + " but the pattern has "
                    + groups
                    + " group"
                    + (groups == 1 ? "" : "s"));
          }
        } else {
          throw new ExpressionException(
              "'$' in the replacement must be followed by a group number or {name} (write \\$)");
        }
      }
    }
  }

  static boolean find(Pattern pattern, String input) {
    String bounded = input.length() > MAX_INPUT ? input.substring(0, MAX_INPUT) : input;
    return pattern.matcher(new CountingSequence(bounded, new long[] {0})).find();
  }

  /**
   * Replaces every match of {@code pattern} in {@code input} ({@link Matcher#replaceAll} syntax:
   * {@code $1}, {@code ${name}}); an input longer than {@value #MAX_INPUT} characters is refused.
   */
  public static String replaceAll(Pattern pattern, String input, String replacement) {
    if (input.length() > MAX_INPUT) {
      throw new ExpressionException(
          "input is "
              + input.length()
              + " characters long; regex_replace takes at most "
              + MAX_INPUT);
    }
    try {
      return pattern.matcher(new CountingSequence(input, new long[] {0})).replaceAll(replacement);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new ExpressionException("invalid replacement: " + e.getMessage());
    }
  }

  private record CountingSequence(String text, long[] reads) implements CharSequence {
    @Override
    public int length() {
      return text.length();
    }

    @Override
    public char charAt(int index) {
      if (++reads[0] > MAX_READS) {
        throw new ExpressionException(
            "Pattern needed more than " + MAX_READS + " steps; simplify it");
      }
      return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new CountingSequence(text.substring(start, end), reads);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
