package io.tinyllm.executor;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.GraphException;

/**
 * The most characters a payload's text may have ({@code executor.max-payload-chars}), so a loop
 * that doubles its text, or a template or replacement that multiplies it, fails its node instead of
 * filling the heap. Checked while text is built, not only once it is. {@code source} says where the
 * limit was set, for the error.
 */
record TextLimit(int maxChars, String source) {
  static final String SETTING = "executor.max-payload-chars";

  TextLimit {
    if (maxChars < 1) {
      throw new IllegalArgumentException("maxChars must be at least 1");
    }
    requireNonNull(source, "source is null");
  }

  /** The limit of the setting {@value #SETTING}. */
  TextLimit(int maxChars) {
    this(maxChars, "setting " + SETTING);
  }

  /** {@code text}, or a failure when it is over the limit. */
  String check(String text) {
    if (text.length() > maxChars) {
      throw exceeded(text.length(), false);
    }
    return text;
  }

  /** Fails when text being built has already passed the limit. */
  void checkGrowing(CharSequence text) {
    if (text.length() > maxChars) {
      throw exceeded(maxChars, true);
    }
  }

  private GraphException exceeded(long length, boolean moreThan) {
    return new GraphException(
        "its text would be "
            + (moreThan ? "more than " + length : String.valueOf(length))
            + " characters; the limit is "
            + maxChars
            + " ("
            + source
            + ")");
  }
}
