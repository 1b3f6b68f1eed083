package io.tinyllm.executor.expression;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * About how many atoms a pattern has once its counted repeats are expanded, as RE2/J's compiler
 * expands them: {@code (ab){3}} is 6, {@code ((a{10}){10}){10}} is 1000. Alternatives add up,
 * classes and escapes count one. Only a guard against compiling a pattern that would exhaust the
 * heap (RE2/J has no program size limit of its own); {@link com.google.re2j.Pattern#programSize()}
 * is the exact check after compiling. Saturates instead of overflowing.
 */
final class RepeatEstimate {
  private static final long CAP = 1L << 40;

  private final String pattern;
  private int i;

  private RepeatEstimate(String pattern) {
    this.pattern = pattern;
  }

  static long of(String pattern) {
    return new RepeatEstimate(pattern).estimate();
  }

  /** A sequence being read: the atoms before the last, and the last (which a repeat multiplies). */
  private static final class Sequence {
    long done;
    long last;

    void add(long atom) {
      done = Math.min(CAP, done + last);
      last = atom;
    }

    long total() {
      return Math.min(CAP, done + last);
    }
  }

  private long estimate() {
    Deque<Sequence> open = new ArrayDeque<>();
    Sequence current = new Sequence();
    while (i < pattern.length()) {
      char c = pattern.charAt(i++);
      switch (c) {
        case '\\' -> current.add(escape());
        case '[' -> {
          skipClass();
          current.add(1);
        }
        case '(' -> {
          open.push(current);
          current = new Sequence();
        }
        case ')' -> {
          long group = current.total();
          current = open.isEmpty() ? new Sequence() : open.pop();
          current.add(group);
        }
        case '|' -> current.add(0);
        case '{' -> {
          long count = repeatCount();
          if (count < 0) {
            current.add(1); // a literal '{'
          } else {
            current.last = Math.min(CAP, current.last * Math.max(1, count));
          }
        }
        case '*', '+', '?' -> {}
        default -> current.add(1);
      }
    }
    long total = current.total();
    while (!open.isEmpty()) {
      Sequence outer = open.pop();
      outer.add(total);
      total = outer.total();
    }
    return total;
  }

  /** Skips an escape after its backslash; {@code \Q...\E} counts each quoted character. */
  private long escape() {
    if (i >= pattern.length()) {
      return 1;
    }
    char c = pattern.charAt(i++);
    if (c == 'Q') {
      int end = pattern.indexOf("\\E", i);
      int stop = end < 0 ? pattern.length() : end;
      long quoted = stop - i;
      i = end < 0 ? stop : end + 2;
      return Math.max(1, quoted);
    }
    if ((c == 'p' || c == 'P' || c == 'x') && i < pattern.length() && pattern.charAt(i) == '{') {
      int close = pattern.indexOf('}', i);
      i = close < 0 ? pattern.length() : close + 1;
    }
    return 1;
  }

  /** Skips a character class after its '['; a ']' first in it is a member, not its end. */
  private void skipClass() {
    if (i < pattern.length() && pattern.charAt(i) == '^') {
      i++;
    }
    if (i < pattern.length() && pattern.charAt(i) == ']') {
      i++;
    }
    while (i < pattern.length()) {
      char c = pattern.charAt(i++);
      if (c == '\\') {
        i++;
      } else if (c == '[' && i < pattern.length() && pattern.charAt(i) == ':') {
        int close = pattern.indexOf(":]", i);
        i = close < 0 ? pattern.length() : close + 2;
      } else if (c == ']') {
        return;
      }
    }
  }

  /**
   * The largest count of a repeat {@code {n}}, {@code {n,}} ({@code n + 1}) or {@code {n,m}} after
   * its '{', or -1 (reading nothing) when the '{' starts no repeat.
   */
  private long repeatCount() {
    int start = i;
    long min = digits();
    if (min < 0) {
      i = start;
      return -1;
    }
    long max = min;
    if (i < pattern.length() && pattern.charAt(i) == ',') {
      i++;
      long upper = digits();
      max = upper < 0 ? min + 1 : upper;
    }
    if (i < pattern.length() && pattern.charAt(i) == '}') {
      i++;
      return Math.max(min, max);
    }
    i = start;
    return -1;
  }

  private long digits() {
    int start = i;
    long value = 0;
    while (i < pattern.length()
        && pattern.charAt(i) >= '0'
        && pattern.charAt(i) <= '9'
        && i - start < 9) {
      value = value * 10 + (pattern.charAt(i++) - '0');
    }
    return i == start ? -1 : value;
  }
}
