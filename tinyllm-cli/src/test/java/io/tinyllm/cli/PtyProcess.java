package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.metrics.testing.ExternalPrograms;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The built launcher on a pseudo-terminal (through {@code pty-run.py}, python3's {@code pty}): what
 * a test types arrives as keys (Ctrl-C included, which the terminal turns into SIGINT), and what
 * the command draws is collected as text, escape sequences removed.
 */
final class PtyProcess implements AutoCloseable {
  /** At most this much of the terminal's output is kept: a bound on a runaway command. */
  private static final int MAX_OUTPUT = 1 << 20;

  /** CSI and the other short escape sequences terminals take; what a person would not see. */
  private static final Pattern ESCAPES =
      Pattern.compile("\u001B\\[[0-9;?$<=>]*[ -/]*[@-~]|\u001B[()][0-9A-Za-z]|\u001B[=>]|\r");

  private final Process process;
  private final OutputStream keys;
  private final StringBuilder output = new StringBuilder();
  private final Thread reader;

  private PtyProcess(Process process) {
    this.process = process;
    this.keys = process.getOutputStream();
    InputStream in = process.getInputStream();
    reader =
        new Thread(
            () -> {
              byte[] buffer = new byte[4096];
              try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                  synchronized (output) {
                    if (output.length() < MAX_OUTPUT) {
                      output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                    output.notifyAll();
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "pty-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code bin/tinyllm args} on a terminal of {@code columns} x 24, with {@code env}. */
  static PtyProcess start(int columns, Map<String, String> env, String... args) {
    Path python = ExternalPrograms.require("python3", "python3");
    List<String> command = new ArrayList<>();
    command.add(python.toString());
    command.add(script().toString());
    command.add(String.valueOf(columns));
    command.add("24");
    command.add(Launcher.path().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("TERM", "xterm");
    builder.environment().putAll(env);
    try {
      return new PtyProcess(builder.start());
    } catch (IOException e) {
      throw new AssertionError("cannot start " + command, e);
    }
  }

  private static Path script() {
    try {
      return Path.of(PtyProcess.class.getResource("/pty/pty-run.py").toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  /** Types {@code keys} ({@code \r} is Enter, {@code \u0003} Ctrl-C, {@code \u0004} Ctrl-D). */
  void type(String text) throws IOException {
    keys.write(text.getBytes(StandardCharsets.UTF_8));
    keys.flush();
  }

  /** What the terminal showed so far, without escape sequences and carriage returns. */
  String screen() {
    synchronized (output) {
      return ESCAPES.matcher(output).replaceAll("");
    }
  }

  /**
   * Waits, bounded, until the screen shows {@code text} {@code times} times in all; returns the
   * screen.
   */
  String await(String text, int times, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (output) {
      while (true) {
        String screen = screen();
        if (count(screen, text) >= times) {
          return screen;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
          throw new AssertionError(
              "the terminal did not show '" + text + "' " + times + " times: " + screen);
        }
        output.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  static int count(String screen, String text) {
    int n = 0;
    for (int at = screen.indexOf(text); at >= 0; at = screen.indexOf(text, at + text.length())) {
      n++;
    }
    return n;
  }

  /** Waits, bounded, for the command to end; returns its exit status. */
  int exitCode(Duration timeout) throws InterruptedException {
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .as("ended within %s; the terminal showed: %s", timeout, screen())
        .isTrue();
    reader.join(timeout.toMillis());
    return process.exitValue();
  }

  /** Sends {@code signal} ({@code TERM}, {@code INT}) to the command (not to the pty's driver). */
  void signal(String signal) throws Exception {
    ProcessHandle command =
        process.children().findFirst().orElseThrow(() -> new AssertionError("no command runs"));
    Process kill =
        new ProcessBuilder("kill", "-" + signal, String.valueOf(command.pid()))
            .redirectErrorStream(true)
            .start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
