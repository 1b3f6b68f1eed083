package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordWrapTest {
  private static String wrap(int width, List<String> tokens) {
    StringWriter out = new StringWriter();
    WordWrap wrap = new WordWrap(new PrintWriter(out), width);
    tokens.forEach(wrap::write);
    wrap.finish();
    return out.toString();
  }

  @Test
  void wordsThatDoNotFitGoToTheNextLineWhereverTheTokensSplitThem() {
    String expected = "The quick brown\nfox jumps over\nthe lazy dog.";

    assertThat(wrap(15, List.of("The quick brown fox jumps over the lazy dog.")))
        .isEqualTo(expected);
    assertThat(
            wrap(
                15,
                List.of("The", " qu", "ick bro", "wn f", "ox jumps", " over the lazy", " dog.")))
        .isEqualTo(expected);
  }

  @Test
  void theAnswersOwnLineBreaksStartAFreshLine() {
    assertThat(wrap(10, List.of("one two\nthree four five")))
        .isEqualTo("one two\nthree four\nfive");
  }

  @Test
  void aWordLongerThanALineIsBrokenWhereTheLineEnds() {
    assertThat(wrap(5, List.of("ab abcdefghijkl x"))).isEqualTo("ab\nabcde\nfghij\nkl x");
  }

  @Test
  void wideCharactersCountTwoColumns() {
    // each of these takes two columns: three fit on a line of 6
    assertThat(wrap(6, List.of("日本語 日本語"))).isEqualTo("日本語\n日本語");
  }

  @Test
  void withoutAWidthTokensPassAsTheyCome() {
    assertThat(wrap(0, List.of("a very long line ", "that is not wrapped")))
        .isEqualTo("a very long line that is not wrapped");
  }

  @Test
  void atLineStartTellsWhetherTheAnswerEndedItsLine() {
    StringWriter out = new StringWriter();
    WordWrap wrap = new WordWrap(new PrintWriter(out), 20);
    assertThat(wrap.atLineStart()).isTrue();
    wrap.write("Hi");
    assertThat(wrap.atLineStart()).isFalse();
    wrap.write("\n");
    assertThat(wrap.atLineStart()).isTrue();
  }

  @Test
  void indentationTheAnswerBeganALineWithIsKept() {
    assertThat(wrap(20, List.of("Code:\n", "    int x = 1;\n", "  done")))
        .isEqualTo("Code:\n    int x = 1;\n  done");
  }
}
