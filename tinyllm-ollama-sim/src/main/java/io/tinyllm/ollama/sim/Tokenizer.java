package io.tinyllm.ollama.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * A small, lossless tokenizer standing in for a model's BPE vocabulary. A token is optional leading
 * white space followed by either a run of letters and digits (at most {@value #MAX_WORD} code
 * points) or one other character; trailing white space is a token of its own. Concatenating the
 * tokens gives back the text exactly, so a streamed answer reassembles to the full answer and
 * {@code eval_count} equals the number of streamed chunks.
 */
final class Tokenizer {
  /** Long words are split like sub-word tokens, which also bounds every token's size. */
  static final int MAX_WORD = 12;

  private Tokenizer() {}

  /** The tokens of {@code text}, in order. */
  static List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    int length = text.length();
    int i = 0;
    while (i < length) {
      int start = i;
      while (i < length && Character.isWhitespace(text.codePointAt(i))) {
        i += Character.charCount(text.codePointAt(i));
      }
      if (i < length) {
        int first = text.codePointAt(i);
        i += Character.charCount(first);
        if (Character.isLetterOrDigit(first)) {
          int taken = 1;
          while (i < length && taken < MAX_WORD && Character.isLetterOrDigit(text.codePointAt(i))) {
            i += Character.charCount(text.codePointAt(i));
            taken++;
          }
        }
      }
      tokens.add(text.substring(start, i));
    }
    return tokens;
  }

  /** The number of tokens of {@code text}. */
  static int count(String text) {
    return tokenize(text).size();
  }
}
