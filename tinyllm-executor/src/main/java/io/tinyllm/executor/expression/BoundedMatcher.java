package io.tinyllm.executor.expression;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.function.Consumer;

/**
 * The regular expressions of graphs ({@code matches} and the {@code regex_replace} transform), run
 * by RE2/J: matching takes time linear in the input, whatever the pattern, so no pattern can hang a
 * worker by backtracking. What RE2 cannot do in linear time — lookaround, backreferences,
 * possessive quantifiers, atomic groups — is refused at compile time with an error naming it.
 *
 * <p>The work of one match is about the input's length times the compiled program's size, so both
 * are bounded explicitly: a pattern of at most {@value #MAX_PATTERN} characters compiling to at
 * most {@value #MAX_PROGRAM} instructions (checked at load), and an input of at most {@value
 * #MAX_INPUT} characters (a longer one is an error naming the limit, for {@code matches} and {@code
 * regex_replace} alike).
 *
 * <pre>{@code
 * Pattern p = BoundedMatcher.compile("(\\d+)-(\\d+)");
 * BoundedMatcher.replaceAll(p, "1-2", "$2-$1", text -> {}); // "2-1"
 * }</pre>
 */
public final class BoundedMatcher {
  public static final int MAX_PATTERN = 256;
  public static final int MAX_PROGRAM = 1_000;
  public static final int MAX_INPUT = 10_000;

  /** What RE2 leaves out, named in errors. */
  static final String RE2_SYNTAX =
      "patterns use RE2 syntax: no lookaround, backreferences, possessive quantifiers or atomic"
          + " groups";

  private BoundedMatcher() {}

  /** Compiles {@code pattern}, or throws an {@link ExpressionException} saying what is wrong. */
  public static Pattern compile(String pattern) {
    if (pattern.length() > MAX_PATTERN) {
      throw new ExpressionException(
          "pattern is " + pattern.length() + " characters long; the limit is " + MAX_PATTERN);
    }
    // RE2/J expands counted repeats while compiling and, unlike RE2, sets no size limit: a
    // nested repeat such as ((a{1000}){1000}){1000} would exhaust the heap before programSize()
    if (RepeatEstimate.of(pattern) > 10L * MAX_PROGRAM) {
      throw tooBig(pattern, "more than " + 10L * MAX_PROGRAM);
    }
    Pattern compiled;
    try {
      compiled = Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new ExpressionException("pattern '" + pattern + "' " + describe(e));
    }
    if (compiled.programSize() > MAX_PROGRAM) {
      throw tooBig(pattern, String.valueOf(compiled.programSize()));
    }
    return compiled;
  }

  private static ExpressionException tooBig(String pattern, String size) {
    return new ExpressionException(
        "pattern '"
            + pattern
            + "' compiles to "
            + size
            + " instructions; the limit is "
            + MAX_PROGRAM
            + " (lower its repeat counts)");
  }

  /** The problem RE2/J found, naming the unsupported construct when it is one. */
  private static String describe(PatternSyntaxException e) {
    String at = e.getPattern();
    String construct = unsupported(e.getDescription(), at);
    if (construct != null) {
      return "uses unsupported syntax: " + construct + " `" + at + "` (" + RE2_SYNTAX + ")";
    }
    return "is invalid: " + e.getDescription() + ": `" + at + "`";
  }

  private static String unsupported(String description, String at) {
    if (at.startsWith("(?=") || at.startsWith("(?!")) {
      return "lookahead";
    }
    if (at.startsWith("(?<=") || at.startsWith("(?<!")) {
      return "lookbehind";
    }
    if (at.startsWith("(?>")) {
      return "atomic group";
    }
    if (at.equals("\\k")
        || at.length() == 2 && at.charAt(0) == '\\' && at.charAt(1) >= '1' && at.charAt(1) <= '9') {
      return "backreference";
    }
    if (description.equals("invalid nested repetition operator") && at.endsWith("+")) {
      return "possessive quantifier";
    }
    if (description.equals("invalid escape sequence")) {
      return "escape";
    }
    return null;
  }

  /**
   * Checks a replacement of {@link #replaceAll}: {@code $n} must name one of the pattern's groups,
   * {@code ${name}} one of its named groups, and {@code \} must escape a character.
   */
  public static void checkReplacement(Pattern pattern, String replacement) {
    int groups = pattern.groupCount();
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
          if (close < 0 || !pattern.namedGroups().containsKey(name)) {
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

  /** Whether {@code pattern} occurs in {@code input}, for the {@code matches} operator. */
  static boolean find(Pattern pattern, String input) {
    checkInput(input, "matches");
    return pattern.matcher(input).find();
  }

  /**
   * Replaces every match of {@code pattern} in {@code input} ({@code $1}, {@code ${name}}, {@code
   * \$}); an input longer than {@value #MAX_INPUT} characters is refused. The result so far is
   * shown to {@code growing} after each replacement, which throws to stop it: an empty match with a
   * long replacement repeats it once per character.
   */
  public static String replaceAll(
      Pattern pattern, String input, String replacement, Consumer<CharSequence> growing) {
    checkInput(input, "regex_replace");
    StringBuilder out = new StringBuilder();
    try {
      Matcher m = pattern.matcher(input);
      while (m.find()) {
        m.appendReplacement(out, replacement);
        growing.accept(out);
      }
      m.appendTail(out);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new ExpressionException("invalid replacement: " + e.getMessage());
    }
    growing.accept(out);
    return out.toString();
  }

  private static void checkInput(String input, String operation) {
    if (input.length() > MAX_INPUT) {
      throw new ExpressionException(
          "input is "
              + input.length()
              + " characters long; "
              + operation
              + " takes at most "
              + MAX_INPUT
              + " (truncate the text first)");
    }
  }
}
