package io.tinyllm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Text a command writes (through {@link #writer()}, or pumped from a process' stream), which a test
 * waits on: every write wakes the waiters, so a wait ends as soon as the text matches.
 */
final class AwaitableText {
  private final StringBuilder text = new StringBuilder(); // guarded by this

  /** A writer appending here. */
  Writer writer() {
    return new Writer() {
      @Override
      public void write(char[] chars, int offset, int length) {
        AwaitableText.this.append(new String(chars, offset, length));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  /** Copies {@code in} here on a daemon thread until it ends. */
  AwaitableText pump(InputStream in, String threadName) {
    Thread pump =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              try (in) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  // the commands print ASCII and whole UTF-8 lines; a split character would show
                  append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            threadName);
    pump.setDaemon(true);
    pump.start();
    return this;
  }

  synchronized void append(String more) {
    text.append(more);
    notifyAll();
  }

  @Override
  public synchronized String toString() {
    return text.toString();
  }

  /**
   * Waits until the text so far satisfies {@code condition}, at most {@code timeout}; returns it.
   *
   * @throws AssertionError naming {@code what} and the text, if the time ran out
   */
  synchronized String await(String what, Predicate<String> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(text.toString())) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(what + " did not show within " + timeout + ": " + text);
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return text.toString();
  }
}
