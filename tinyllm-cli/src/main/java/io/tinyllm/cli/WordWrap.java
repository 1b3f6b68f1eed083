package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import org.jline.utils.WCWidth;

/**
 * Writes a streamed answer wrapped at word boundaries to fit {@code width} columns, as tokens come:
 * a word is held until the space after it shows whether it fits on the line, and spaces until a
 * word follows them on the same line (no line ends in spaces). A word longer than a line is broken
 * where the line ends; spaces at the start of a line we broke are dropped. Columns are counted with
 * JLine's character widths, so wide (CJK) characters count two.
 *
 * <pre>{@code
 * WordWrap wrap = new WordWrap(terminal.writer(), terminal.getWidth());
 * tokens.forEach(wrap::write);
 * wrap.finish();
 * }</pre>
 *
 * <p>JLine wraps what it draws itself (the prompt, the line being edited) but not what a program
 * prints, hence this small class.
 */
final class WordWrap {
  private final PrintWriter out;
  private final int width;
  private final StringBuilder word = new StringBuilder();
  private int wordColumns;
  private int column;

  /** Spaces after the last word written, written only if another word follows on this line. */
  private int spaces;

  /** Whether this line began where we broke the answer (not at one of its own line ends). */
  private boolean wrapped;

  /**
   * @param width the terminal's columns; 0 or less (a dumb terminal that does not know) writes
   *     tokens as they come
   */
  WordWrap(PrintWriter out, int width) {
    this.out = requireNonNull(out, "out is null");
    this.width = width;
  }

  void write(String token) {
    if (width <= 0) {
      out.print(token);
      out.flush();
      if (!token.isEmpty()) {
        column = token.endsWith("\n") ? 0 : column + 1;
      }
      return;
    }
    for (int i = 0; i < token.length(); ) {
      int cp = token.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '\n') {
        flushWord();
        spaces = 0; // never at the end of a line
        out.print('\n');
        column = 0;
        wrapped = false;
      } else if (cp == ' ' || cp == '\t') {
        flushWord();
        spaces++;
      } else {
        int w = Math.max(0, WCWidth.wcwidth(cp));
        if (wordColumns + w > width) {
          // longer than a whole line: break it where the line ends
          flushWord();
        }
        word.appendCodePoint(cp);
        wordColumns += w;
      }
    }
    out.flush();
  }

  /** Writes the word still held; call when the answer ends. */
  void finish() {
    flushWord();
    out.flush();
  }

  /** Whether the cursor is at the start of a line (nothing written since the last newline). */
  boolean atLineStart() {
    return column == 0 && word.length() == 0;
  }

  /** Writes the word held, on this line after the spaces before it if it fits, else on the next. */
  private void flushWord() {
    if (word.length() == 0) {
      return;
    }
    if (column > 0 && column + spaces + wordColumns > width) {
      out.print('\n');
      column = 0;
      wrapped = true;
    } else if (column > 0 || !wrapped) {
      // indentation on a line the answer began is kept (code, lists), as far as it fits
      int kept = Math.min(spaces, Math.max(0, width - column - wordColumns));
      out.print(" ".repeat(kept));
      column += kept;
    }
    spaces = 0;
    out.print(word);
    column += wordColumns;
    word.setLength(0);
    wordColumns = 0;
  }
}
