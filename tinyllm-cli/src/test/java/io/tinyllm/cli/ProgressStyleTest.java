package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressStyleTest {
  private static final TerminalProbe TERMINAL = TerminalProbe.fixed(false, true, 132);

  @Test
  void aBarWhenStderrIsATerminalEvenWithStdoutInAFile() {
    ProgressStyle style = ProgressStyle.detect(Map.of("TERM", "xterm-256color"), TERMINAL);

    assertThat(style.redraw()).isTrue();
    assertThat(style.colour()).isTrue();
    assertThat(style.stdoutOnTerminal()).isFalse();
    assertThat(style.columns().getAsInt()).isEqualTo(132);
  }

  @Test
  void plainLinesWhenStderrIsNoTerminalEvenWithStdoutOnOne() {
    ProgressStyle style =
        ProgressStyle.detect(Map.of("TERM", "xterm"), TerminalProbe.fixed(true, false, 80));

    assertThat(style).isSameAs(ProgressStyle.PLAIN);
  }

  @Test
  void dumbTerminalsAndCiGetPlainLines() {
    assertThat(ProgressStyle.detect(Map.of("TERM", "dumb"), TERMINAL).redraw()).isFalse();
    assertThat(ProgressStyle.detect(Map.of("CI", "true"), TERMINAL).redraw()).isFalse();
    assertThat(ProgressStyle.detect(Map.of("CI", "1"), TERMINAL).redraw()).isFalse();
    assertThat(ProgressStyle.detect(Map.of("CI", "false"), TERMINAL).redraw()).isTrue();
    assertThat(ProgressStyle.detect(Map.of("CI", ""), TERMINAL).redraw()).isTrue();
  }

  @Test
  void noColorTurnsColourOffButKeepsTheBar() {
    ProgressStyle style = ProgressStyle.detect(Map.of("NO_COLOR", "1"), TERMINAL);
    assertThat(style.redraw()).isTrue();
    assertThat(style.colour()).isFalse();
    // set but empty means unset (no-color.org)
    assertThat(ProgressStyle.detect(Map.of("NO_COLOR", ""), TERMINAL).colour()).isTrue();
  }

  @Test
  void anUnknownWidthFallsBackToColumnsThenEighty() {
    TerminalProbe unknown = TerminalProbe.fixed(false, true, 0);
    assertThat(ProgressStyle.detect(Map.of("COLUMNS", "100"), unknown).columns().getAsInt())
        .isEqualTo(100);
    assertThat(ProgressStyle.detect(Map.of("COLUMNS", "wide"), unknown).columns().getAsInt())
        .isEqualTo(80);
  }
}
