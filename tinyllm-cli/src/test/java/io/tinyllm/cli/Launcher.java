package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
    List<String> command = new ArrayList<>();
    command.add(path().toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      // stdin at its end, as for a script given no input: `run` without a prompt reads stdin
      process.getOutputStream().close();
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
