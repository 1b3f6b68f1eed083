package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.metrics.testing.ExternalPrograms;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The built launcher on a pseudo-terminal (through {@code pty-run.py}, python3's {@code pty}): what
 * a test types arrives as keys (Ctrl-C included, which the terminal turns into SIGINT), and what
 * the command draws is collected, as it came ({@link #transcript()}) or as a person would read it
 * ({@link #screen()}).
 *
 * <pre>{@code
 * try (PtyProcess chat = PtyProcess.terminal(60).start("chat", "-m", "qwen2.5:0.5b")) {
 *   chat.await(">>> ", 1, WAIT);
 *   chat.type("\u0004");
 *   assertThat(chat.exitCode(WAIT)).isZero();
 * }
 * }</pre>
 */
final class PtyProcess implements AutoCloseable {
  /** At most this much of the terminal's output is kept: a bound on a runaway command. */
  private static final int MAX_OUTPUT = 1 << 20;

  /** CSI and the other short escape sequences terminals take; what a person would not see. */
  private static final Pattern ESCAPES =
      Pattern.compile("\u001B\\[[0-9;?$<=>]*[ -/]*[@-~]|\u001B[()][0-9A-Za-z]|\u001B[=>]|\r");

  private final Process process;
  private final OutputStream keys;
  private final ByteArrayOutputStream output = new ByteArrayOutputStream(); // guarded by itself
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
                    // bytes, decoded when read: a character split between two reads stays whole
                    output.write(buffer, 0, Math.min(n, MAX_OUTPUT - output.size()));
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

  /** A terminal {@code columns} wide and 24 rows high, for the launcher; see {@link Terminal}. */
  static Terminal terminal(int columns) {
    return new Terminal(columns, Map.of(), false, null, null);
  }

  /**
   * How the launcher starts on the terminal: its width, what is added to the environment (TERM is
   * xterm, and CI and NO_COLOR are unset, unless given), and which of its streams go elsewhere than
   * the terminal.
   */
  record Terminal(
      int columns, Map<String, String> env, boolean nullStdin, Path stdoutFile, Path stderrFile) {
    /** With {@code more} added to the environment. */
    Terminal env(Map<String, String> more) {
      Map<String, String> all = new HashMap<>(env);
      all.putAll(more);
      return new Terminal(columns, Map.copyOf(all), nullStdin, stdoutFile, stderrFile);
    }

    /** With the command's stdin /dev/null; keys typed still reach the terminal. */
    Terminal stdinNull() {
      return new Terminal(columns, env, true, stdoutFile, stderrFile);
    }

    /** With the command's stdout going to {@code file}. */
    Terminal stdout(Path file) {
      return new Terminal(columns, env, nullStdin, file, stderrFile);
    }

    /** With the command's stderr going to {@code file}. */
    Terminal stderr(Path file) {
      return new Terminal(columns, env, nullStdin, stdoutFile, file);
    }

    PtyProcess start(String... args) {
      return start(List.of(args));
    }

    PtyProcess start(List<String> args) {
      Path python = ExternalPrograms.require("python3", "python3");
      List<String> runner = new ArrayList<>(List.of(python.toString(), script().toString()));
      runner.addAll(List.of("--columns", String.valueOf(columns)));
      if (nullStdin) {
        runner.addAll(List.of("--stdin", "null"));
      }
      if (stdoutFile != null) {
        runner.addAll(List.of("--stdout", stdoutFile.toString()));
      }
      if (stderrFile != null) {
        runner.addAll(List.of("--stderr", stderrFile.toString()));
      }
      runner.add("--");
      ProcessBuilder builder = Launcher.command(runner, Map.of(), args).redirectErrorStream(true);
      Map<String, String> environment = builder.environment();
      // a person's terminal: CI and NO_COLOR change what is drawn, and are tested on their own
      environment.remove("CI");
      environment.remove("NO_COLOR");
      environment.put("TERM", "xterm");
      environment.putAll(env);
      try {
        return new PtyProcess(builder.start());
      } catch (IOException e) {
        throw new AssertionError("cannot start " + builder.command(), e);
      }
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

  /** What the terminal showed so far, escape sequences, carriage returns and all. */
  String transcript() {
    synchronized (output) {
      return output.toString(StandardCharsets.UTF_8);
    }
  }

  /** What the terminal showed so far, without escape sequences and carriage returns. */
  String screen() {
    return ESCAPES.matcher(transcript()).replaceAll("");
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
    Launcher.signal(command, signal);
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
