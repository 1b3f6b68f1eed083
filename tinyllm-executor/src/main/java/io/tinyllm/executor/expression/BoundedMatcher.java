package io.tinyllm.executor.expression;

import java.util.regex.Pattern;

/**
 * Runs {@code matches} with bounded work: the input is cut to {@value #MAX_INPUT} characters and
 * the matcher may read at most {@value #MAX_READS} characters in total, so a backtracking pattern
 * fails with an {@link ExpressionException} instead of hanging a worker.
 */
final class BoundedMatcher {
  static final int MAX_INPUT = 10_000;
  static final long MAX_READS = 1_000_000;

  private BoundedMatcher() {}

  static boolean find(Pattern pattern, String input) {
    String bounded = input.length() > MAX_INPUT ? input.substring(0, MAX_INPUT) : input;
    return pattern.matcher(new CountingSequence(bounded, new long[] {0})).find();
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
