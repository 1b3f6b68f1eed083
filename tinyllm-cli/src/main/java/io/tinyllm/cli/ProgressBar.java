package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on stderr's terminal, redrawn in place at most ten times a second, fitted
 * to the terminal's width, with rate and time left:
 *
 * <pre>
 * batch [##########..........]  50% 10/20 (1 failed) 3.2/s ETA 4s
 * </pre>
 *
 * Anything else written to the terminal while the bar is up goes through {@link #above}, which
 * clears the bar, writes, and draws it again below. Only for a {@link ProgressStyle#redraw()}
 * style: elsewhere callers write plain lines.
 */
final class ProgressBar {
  /** What is counted: things, or bytes. */
  enum Unit {
    COUNT,
    BYTES
  }

  static final long REDRAW_NANOS = 100_000_000L;

  /** The rate and time left appear once this much has passed: sooner they are noise. */
  static final long RATE_AFTER_NANOS = 1_000_000_000L;

  private static final int MAX_BAR = 40;
  private static final int MIN_BAR = 5;
  private static final String CLEAR = "\r\033[K";
  private static final String GREEN = "\033[32m";
  private static final String RESET = "\033[0m";

  private final PrintWriter err;
  private final String label;
  private final Unit unit;
  private final ProgressStyle style;
  private final LongSupplier nanoTime;
  private long lastDraw;
  private boolean drawn;
  private boolean finished;
  private boolean stopped;
  private long done;
  private long total;
  private String note = "";
  private long firstDone = -1;
  private long firstTime;

  ProgressBar(PrintWriter err, String label, Unit unit, ProgressStyle style) {
    this(err, label, unit, style, System::nanoTime);
  }

  ProgressBar(
      PrintWriter err, String label, Unit unit, ProgressStyle style, LongSupplier nanoTime) {
    this.err = requireNonNull(err, "err is null");
    this.label = requireNonNull(label, "label is null");
    this.unit = requireNonNull(unit, "unit is null");
    this.style = requireNonNull(style, "style is null");
    this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
  }

  /** {@code done} of {@code total}, with {@code note} after the counts; drawn at most 10/s. */
  synchronized void update(long done, long total, String note) {
    long now = nanoTime.getAsLong();
    if (firstDone < 0) {
      firstDone = done;
      firstTime = now;
    }
    this.done = done;
    this.total = total;
    this.note = note == null ? "" : note;
    if (!finished && (!drawn || now - lastDraw >= REDRAW_NANOS)) {
      draw(now);
    }
  }

  /** Erases the bar, runs {@code write} (which prints whole lines), and draws the bar again. */
  synchronized void above(Runnable write) {
    if (drawn && !finished) {
      err.print(CLEAR);
      err.flush();
    }
    write.run();
    if (drawn && !finished) {
      draw(nanoTime.getAsLong());
    }
  }

  /** Draws the last state (not throttled) and ends the bar's line; the bar stays on screen. */
  synchronized void finish() {
    if (finished) {
      return;
    }
    if (firstDone >= 0) {
      draw(nanoTime.getAsLong());
      err.println();
      err.flush();
    }
    finished = true;
  }

  /**
   * Ends the bar as stopped before its end: drawn with {@code note} (what stopped it) and without
   * rate or time left, at what was done, never at 100 %.
   */
  synchronized void stop(String note) {
    if (finished) {
      return;
    }
    this.note = note == null ? "" : note;
    stopped = true;
    finish();
  }

  /**
   * Sends what is written to {@code System.err} (log lines) through {@link #above} until closed, so
   * a log line never lands in the middle of the bar.
   */
  Routing routeSystemErr() {
    PrintStream original = System.err;
    LinesAbove lines = new LinesAbove(original);
    System.setErr(new PrintStream(lines, true, StandardCharsets.UTF_8));
    return () -> {
      System.setErr(original);
      lines.close();
    };
  }

  /** Ends {@link #routeSystemErr()}: System.err is the stream it was before. */
  interface Routing extends AutoCloseable {
    @Override
    void close();
  }

  private void draw(long now) {
    lastDraw = now;
    drawn = true;
    err.print("\r" + render(now, style.columns().getAsInt()) + "\033[K");
    err.flush();
  }

  /** The bar's line for a terminal {@code columns} wide; never wider than {@code columns - 1}. */
  synchronized String render(long now, int columns) {
    // the last column stays empty: writing there makes some terminals wrap
    int room = Math.max(10, (columns > 0 ? columns : ProgressStyle.DEFAULT_COLUMNS) - 1);
    double fraction = total <= 0 ? 0 : Math.min(1.0, (double) done / total);
    String percent = String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100));
    String counts =
        unit == Unit.BYTES ? Table.bytes(done) + "/" + Table.bytes(total) : done + "/" + total;
    String rate = null;
    String eta = null;
    long elapsed = now - firstTime;
    if (!stopped && firstDone >= 0 && elapsed >= RATE_AFTER_NANOS && done > firstDone) {
      double perSecond = (done - firstDone) / (elapsed / 1e9);
      rate =
          unit == Unit.BYTES
              ? Table.bytes(Math.round(perSecond)) + "/s"
              : String.format(Locale.ROOT, perSecond >= 100 ? "%.0f/s" : "%.1f/s", perSecond);
      if (done < total) {
        eta = "ETA " + duration((total - done) / perSecond);
      }
    }
    String tail = percent + " " + counts + (note.isEmpty() ? "" : " " + note);
    // the bar shrinks to make room; then time left goes, then the rate, then the bar
    String[] candidates = {
      label + " " + tail + part(rate) + part(eta),
      label + " " + tail + part(rate),
      label + " " + tail
    };
    String text = null;
    for (String candidate : candidates) {
      if (candidate.length() + 3 + MIN_BAR <= room) {
        text = candidate;
        break;
      }
    }
    if (text == null) {
      for (String candidate : candidates) {
        if (candidate.length() <= room) {
          return candidate;
        }
      }
      return candidates[2].substring(0, room);
    }
    int barWidth = Math.min(MAX_BAR, room - text.length() - 3);
    int filled = (int) Math.floor(fraction * barWidth);
    String fill = "#".repeat(filled);
    return label
        + " ["
        + (style.colour() && filled > 0 ? GREEN + fill + RESET : fill)
        + ".".repeat(barWidth - filled)
        + "] "
        + text.substring(label.length() + 1);
  }

  private static String part(String text) {
    return text == null ? "" : " " + text;
  }

  /** {@code 7s}, {@code 2m05s}, {@code 1h02m}. */
  static String duration(double seconds) {
    long s = (long) Math.ceil(Math.max(0, Math.min(seconds, 359_999)));
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  /** Buffers up to a newline, then writes the whole line above the bar. */
  private final class LinesAbove extends OutputStream {
    /** A line longer than this is written in pieces: a bound on what a log line can hold. */
    private static final int MAX_LINE = 64 * 1024;

    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LinesAbove(PrintStream target) {
      this.target = target;
    }

    @Override
    public synchronized void write(int b) {
      line.write(b);
      if (b == '\n' || line.size() >= MAX_LINE) {
        flushLine();
      }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
      for (int i = offset; i < offset + length; i++) {
        write(bytes[i]);
      }
    }

    @Override
    public synchronized void flush() {
      // a partial line waits for its end; System.err's autoflush must not split it
    }

    @Override
    public synchronized void close() {
      if (line.size() > 0) {
        flushLine();
      }
    }

    private void flushLine() {
      byte[] bytes = line.toByteArray();
      line.reset();
      above(
          () -> {
            target.write(bytes, 0, bytes.length);
            target.flush();
          });
    }
  }
}
