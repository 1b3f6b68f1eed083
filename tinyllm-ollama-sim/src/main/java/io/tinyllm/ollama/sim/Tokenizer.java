package io.tinyllm.ollama.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * A small, lossless tokenizer standing in for a model's BPE vocabulary, shaped like Qwen2's
 * pre-tokenizer: a special token such as {@code <|im_start|>} is one token; white space holding a
 * line break is a token of its own (up to its last line break); other white space leads the token
 * after it, which is a run of letters and digits (at most {@value #MAX_WORD} code points) or one
 * other character; trailing white space is a token of its own. Concatenating the tokens gives back
 * the text exactly, so a streamed answer reassembles to the full answer and {@code eval_count}
 * equals the number of streamed chunks.
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
      int special = specialEnd(text, i);
      if (special > 0) {
        tokens.add(text.substring(start, special));
        i = special;
        continue;
      }
      int lastBreak = -1;
      while (i < length && Character.isWhitespace(text.codePointAt(i))) {
        char c = text.charAt(i);
        if (c == '\n' || c == '\r') {
          lastBreak = i;
        }
        i += Character.charCount(text.codePointAt(i));
      }
      if (lastBreak >= 0) {
        // line breaks stand alone; spaces after the last one lead the next token
        i = lastBreak + 1;
        tokens.add(text.substring(start, i));
        continue;
      }
      if (i < length && specialEnd(text, i) < 0) {
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

  /** The end of a special token {@code <|name|>} starting at {@code at}, or -1. */
  private static int specialEnd(String text, int at) {
    if (!text.startsWith("<|", at)) {
      return -1;
    }
    int i = at + 2;
    while (i < text.length() && i - at < 34) {
      char c = text.charAt(i);
      if (c == '|') {
        return i > at + 2 && text.startsWith("|>", i) ? i + 2 : -1;
      }
      if (!(Character.isLetterOrDigit(c) || c == '_')) {
        return -1;
      }
      i++;
    }
    return -1;
  }
}
