package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  private final StringWriter text = new StringWriter();
  private final PrintWriter err = new PrintWriter(text);

  private ProgressBar bar(int columns, boolean colour, ProgressBar.Unit unit) {
    ProgressStyle style = new ProgressStyle(true, colour, true, () -> columns);
    return new ProgressBar(err, "batch", unit, style, clock::get);
  }

  @Test
  void fillsTheTerminalsWidthWithRateAndTimeLeft() {
    ProgressBar bar = bar(60, false, ProgressBar.Unit.COUNT);
    bar.update(0, 20, "");
    clock.addAndGet(4 * SECOND);
    bar.update(10, 20, "(1 failed)");

    String line = bar.render(clock.get(), 60);
    assertThat(line)
        .isEqualTo(
            "batch [" + "#".repeat(8) + ".".repeat(8) + "]  50% 10/20 (1 failed) 2.5/s ETA 4s");
    assertThat(line).hasSize(59);
    assertThat(bar.render(clock.get(), 120))
        .isEqualTo(
            "batch [####################....................]  50% 10/20 (1 failed) 2.5/s ETA 4s");
  }

  @Test
  void aNarrowTerminalShrinksTheBarThenDropsTimeLeftThenRateThenTheBar() {
    ProgressBar bar = bar(0, false, ProgressBar.Unit.COUNT);
    bar.update(0, 20, "");
    clock.addAndGet(4 * SECOND);
    bar.update(10, 20, "");

    assertThat(bar.render(clock.get(), 40)).isEqualTo("batch [###....]  50% 10/20 2.5/s ETA 4s");
    assertThat(bar.render(clock.get(), 38)).isEqualTo("batch [##...]  50% 10/20 2.5/s ETA 4s");
    assertThat(bar.render(clock.get(), 36)).isEqualTo("batch [#####.....]  50% 10/20 2.5/s");
    assertThat(bar.render(clock.get(), 29)).isEqualTo("batch [####.....]  50% 10/20");
    assertThat(bar.render(clock.get(), 23)).isEqualTo("batch  50% 10/20 2.5/s");
    assertThat(bar.render(clock.get(), 18)).isEqualTo("batch  50% 10/20");
    assertThat(bar.render(clock.get(), 12)).isEqualTo("batch  50% ");
  }

  @Test
  void rateAndTimeLeftWaitForASecondOfProgress() {
    ProgressBar bar = bar(60, false, ProgressBar.Unit.COUNT);
    bar.update(0, 4, "");
    clock.addAndGet(SECOND / 2);
    bar.update(1, 4, "");

    assertThat(bar.render(clock.get(), 60))
        .isEqualTo("batch [" + "#".repeat(10) + ".".repeat(30) + "]  25% 1/4");
  }

  @Test
  void bytesShowAsSizesAndColourOnlyWhenAllowed() {
    ProgressBar bar = bar(80, true, ProgressBar.Unit.BYTES);
    bar.update(100_000_000, 400_000_000, "");
    clock.addAndGet(10 * SECOND);
    bar.update(200_000_000, 400_000_000, "");

    assertThat(bar.render(clock.get(), 80))
        .isEqualTo(
            "batch [\033[32m#################\033[0m.................]  50% 200 MB/400 MB"
                + " 10.0 MB/s ETA 20s");
  }

  @Test
  void drawsAtMostTenTimesASecondAndLinesGoAboveTheBar() {
    ProgressBar bar = bar(50, false, ProgressBar.Unit.COUNT);
    bar.update(0, 3, "");
    bar.update(1, 3, ""); // within 100 ms of the first draw: not drawn
    clock.addAndGet(ProgressBar.REDRAW_NANOS);
    bar.update(2, 3, "");
    bar.above(() -> err.println("{\"row\":1}"));
    bar.finish();
    bar.update(3, 3, ""); // after finish: nothing more

    assertThat(text.toString())
        .isEqualTo(
            "\rbatch ["
                + ".".repeat(32)
                + "]   0% 0/3\033[K"
                + "\rbatch ["
                + "#".repeat(21)
                + ".".repeat(11)
                + "]  66% 2/3\033[K"
                + "\r\033[K{\"row\":1}\n"
                + "\rbatch ["
                + "#".repeat(21)
                + ".".repeat(11)
                + "]  66% 2/3\033[K"
                + "\rbatch ["
                + "#".repeat(21)
                + ".".repeat(11)
                + "]  66% 2/3\033[K\n");
  }

  @Test
  void logLinesWrittenToSystemErrGoAboveTheBarWhole() {
    ProgressBar bar = bar(50, false, ProgressBar.Unit.COUNT);
    bar.update(1, 2, "");
    String drawn = text.toString();
    PrintStream saved = System.err;
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(terminal, true, StandardCharsets.UTF_8);
    System.setErr(capture);
    try {
      try (ProgressBar.Routing routing = bar.routeSystemErr()) {
        System.err.print("12:00:00 WARN ");
        System.err.flush();
        // a partial line is held back: the bar is not cleared for half a line
        assertThat(text.toString()).isEqualTo(drawn);
        System.err.println("retrying");
      }
      assertThat(System.err).as("restored").isSameAs(capture);
    } finally {
      System.setErr(saved);
    }
    assertThat(terminal.toString(StandardCharsets.UTF_8)).isEqualTo("12:00:00 WARN retrying\n");
    // cleared before the line, drawn again after it
    assertThat(text.toString()).isEqualTo(drawn + "\r\033[K" + drawn);
  }

  @Test
  void aStoppedBarStaysAtWhatWasDoneWithoutRateOrTimeLeft() {
    ProgressBar bar = bar(60, false, ProgressBar.Unit.COUNT);
    bar.update(0, 20, "");
    clock.addAndGet(4 * SECOND);
    bar.update(5, 20, "");
    bar.stop("stopped");

    assertThat(text.toString())
        .endsWith("\rbatch [" + "#".repeat(8) + ".".repeat(25) + "]  25% 5/20 stopped\033[K\n");
  }

  @Test
  void durationsAreShort() {
    assertThat(ProgressBar.duration(0.2)).isEqualTo("1s");
    assertThat(ProgressBar.duration(59)).isEqualTo("59s");
    assertThat(ProgressBar.duration(125)).isEqualTo("2m05s");
    assertThat(ProgressBar.duration(3720)).isEqualTo("1h02m");
    assertThat(ProgressBar.duration(Double.POSITIVE_INFINITY)).isEqualTo("99h59m");
  }
}
