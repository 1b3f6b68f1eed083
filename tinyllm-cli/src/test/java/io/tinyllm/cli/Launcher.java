package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.metrics.testing.ExternalPrograms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the built {@code bin/tinyllm} launcher as a user would, with a bounded wait. */
final class Launcher {
  private Launcher() {}

  static Path path() {
    String launcher = System.getProperty("tinyllm.launcher");
    assertThat(launcher).as("system property tinyllm.launcher (set by the build)").isNotNull();
    Path path = Path.of(launcher);
    assertThat(path).as("the launcher built by 'package'").isExecutable();
    return path;
  }

  /** Starts the launcher with {@code args}; stdout and stderr go to temp files. */
  static Process start(List<String> args, Path out, Path err) {
    return start(Map.of(), args, out, err);
  }

  /** As {@link #start(List, Path, Path)}, with {@code env} added to the environment. */
  static Process start(Map<String, String> env, List<String> args, Path out, Path err) {
    ProcessBuilder builder =
        command(List.of(), env, args).redirectOutput(out.toFile()).redirectError(err.toFile());
    try {
      Process process = builder.start();
      // stdin at its end, as for a script given no input: `run` without a prompt reads stdin
      process.getOutputStream().close();
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts the launcher with {@code args}, its stdin and stdout pipes to this test and its stderr
   * going to {@code err}; SIGINT and SIGTERM at their defaults whatever this JVM inherited.
   */
  static Process startPiped(List<String> args, Path err) {
    ExternalPrograms.require("env", "coreutils");
    // a shell without job control starts background jobs with SIGINT ignored, and the JVM keeps
    // an ignored SIGINT ignored
    List<String> resetSignals = List.of("env", "--default-signal=INT,TERM");
    try {
      return command(resetSignals, Map.of(), args).redirectError(err.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code prefix... bin/tinyllm args...}, with this JVM as JAVA_HOME and {@code env} added to the
   * environment.
   */
  static ProcessBuilder command(List<String> prefix, Map<String, String> env, List<String> args) {
    List<String> command = new ArrayList<>(prefix);
    command.add(path().toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().putAll(env);
    return builder;
  }

  /** Sends {@code signal} ({@code INT}, {@code TERM}) to {@code process}, with kill(1). */
  static void signal(ProcessHandle process, String signal)
      throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
            .redirectErrorStream(true)
            .start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill -%s ended", signal).isTrue();
    assertThat(kill.exitValue()).as("kill -%s's exit status", signal).isZero();
  }

  /** Runs to completion (bounded by {@code timeout}) and returns exit code and output. */
  static Result run(Duration timeout, String... args) {
    return run(timeout, Map.of(), args);
  }

  /** As {@link #run(Duration, String...)}, with {@code env} added to the environment. */
  static Result run(Duration timeout, Map<String, String> env, String... args) {
    try {
      Path out = Files.createTempFile("tinyllm", ".out");
      Path err = Files.createTempFile("tinyllm", ".err");
      Process process = start(env, List.of(args), out, err);
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "tinyllm " + String.join(" ", args) + " did not end in " + timeout);
      }
      Result result =
          new Result(
              process.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  record Result(int exitCode, String out, String err) {}
}
