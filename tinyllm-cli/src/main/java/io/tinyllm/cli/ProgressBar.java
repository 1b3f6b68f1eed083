package io.tinyllm.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on a terminal, redrawn in place with {@code \r} at most ten times a
 * second. Only used when stderr is a terminal; redirected output gets no control characters.
 */
final class ProgressBar {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final String label;
  private final long start = System.nanoTime();
  private long lastDraw;
  private int lastLength;

  ProgressBar(PrintWriter err, String label) {
    this.err = err;
    this.label = label;
  }

  /** Whether there is a terminal to draw on. */
  static boolean onTerminal() {
    return System.console() != null;
  }

  /** Draws {@code done} of {@code total}, with {@code note} after it; throttled unless final. */
  synchronized void update(long done, long total, String note) {
    long now = System.nanoTime();
    if (done < total && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    double fraction = total <= 0 ? 0 : Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    String line =
        String.format(
            Locale.ROOT,
            "%s [%s%s] %3.0f%% %s %s",
            label,
            "#".repeat(filled),
            ".".repeat(WIDTH - filled),
            fraction * 100,
            note,
            Table.seconds((now - start) / 1e9));
    err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
    err.flush();
    lastLength = line.length();
  }

  /** Ends the bar's line. */
  synchronized void finish() {
    if (lastLength > 0) {
      err.println();
      err.flush();
      lastLength = 0;
    }
  }
}
