package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * How progress is shown on stderr: a bar redrawn in place when stderr is a terminal that can take
 * it, plain lines otherwise (a file, a pipe, {@code TERM=dumb}, a CI log).
 *
 * @param redraw draw a bar redrawn in place with {@code \r}
 * @param colour the bar may use colour ({@code NO_COLOR} not set)
 * @param stdoutOnTerminal stdout is a terminal too, so lines written there land on the bar's line
 * @param columns the terminal's width now (it can change while a bar runs)
 */
record ProgressStyle(
    boolean redraw, boolean colour, boolean stdoutOnTerminal, IntSupplier columns) {
  /** What a bar assumes when the terminal does not say its width. */
  static final int DEFAULT_COLUMNS = 80;

  /** No bar: plain lines. */
  static final ProgressStyle PLAIN = new ProgressStyle(false, false, false, () -> 0);

  ProgressStyle {
    requireNonNull(columns, "columns is null");
  }

  /** This process's stderr and environment. */
  static ProgressStyle detect() {
    return detect(System.getenv(), TerminalProbe.system());
  }

  /**
   * A bar when stderr is a terminal, {@code TERM} is not {@code dumb} and {@code CI} is not set (CI
   * logs keep every redraw); colour unless {@code NO_COLOR} is set to anything
   * (https://no-color.org).
   */
  static ProgressStyle detect(Map<String, String> env, TerminalProbe probe) {
    boolean redraw =
        probe.stderrIsTerminal() && !"dumb".equals(env.get("TERM")) && !isSet(env.get("CI"));
    if (!redraw) {
      return PLAIN;
    }
    String noColor = env.get("NO_COLOR");
    int fallback = columnsFrom(env.get("COLUMNS"));
    return new ProgressStyle(
        true,
        noColor == null || noColor.isEmpty(),
        probe.stdoutIsTerminal(),
        () -> {
          int columns = probe.stderrColumns();
          return columns > 0 ? columns : fallback;
        });
  }

  /** {@code CI=true} (or any value but {@code false}/{@code 0}/empty), as CI services set it. */
  private static boolean isSet(String value) {
    if (value == null) {
      return false;
    }
    String v = value.strip().toLowerCase(Locale.ROOT);
    return !v.isEmpty() && !v.equals("false") && !v.equals("0");
  }

  private static int columnsFrom(String value) {
    if (value != null && value.matches("[0-9]{1,4}") && Integer.parseInt(value) > 0) {
      return Integer.parseInt(value);
    }
    return DEFAULT_COLUMNS;
  }
}
