package io.tinyllm.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server in a JVM of its own, started from the benchmark's class path: the child prints {@code
 * <ready> <URI>} when it listens and ends when its standard input closes, so it never outlives the
 * harness. Its CPU time is read from the operating system ({@link #cpuTime()}).
 */
final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final URI uri;

  private ChildProcess(Process process, URI uri) {
    this.process = process;
    this.uri = uri;
  }

  /** Starts {@code mainClass} with {@code args}; waits for its {@code ready} line. */
  static ChildProcess start(Class<?> mainClass, String ready, List<String> jvmArgs, String... args)
      throws IOException {
    return start(System.getProperty("java.class.path"), mainClass, ready, jvmArgs, args);
  }

  /**
   * Starts {@code mainClass} from {@code classPath} (another build of the benchmarks, to compare
   * with) with {@code args}; waits for its {@code ready} line.
   */
  static ChildProcess start(
      String classPath, Class<?> mainClass, String ready, List<String> jvmArgs, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith(ready)) {
      process.destroyForcibly();
      throw new IOException(mainClass.getSimpleName() + " did not start; it printed: " + line);
    }
    return new ChildProcess(process, URI.create(line.substring(ready.length()).strip()));
  }

  URI uri() {
    return uri;
  }

  /** CPU time the child used so far, all its threads (Linux: 10 ms ticks). */
  Duration cpuTime() {
    return process
        .info()
        .totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("the OS does not report the child's CPU"));
  }

  /** Blocks until standard input closes: the child's way to end with its parent. */
  static void awaitEndOfInput() throws IOException {
    while (System.in.read() >= 0) {
      // nothing to read; the parent only closes it
    }
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
