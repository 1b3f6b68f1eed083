package io.tinyllm.benchmarks;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A peer proxy running as a child of the harness: started from a command in a work folder of its
 * own (generated configuration, logs), on a free loopback port, ready once that port accepts a
 * connection, and ended with the harness. Its CPU counts the process and its descendants (nginx's
 * master and its workers).
 */
final class PeerProcess implements AutoCloseable, CpuClock {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(50);

  /** How much of a failed peer's log goes into the error. */
  private static final int LOG_TAIL_BYTES = 2048;

  private final String name;
  private final Process process;
  private final URI uri;
  private final Path workDir;

  private PeerProcess(String name, Process process, URI uri, Path workDir) {
    this.name = name;
    this.process = process;
    this.uri = uri;
    this.workDir = workDir;
  }

  /** A fresh folder for one peer's configuration and logs, removed when the peer ends. */
  static Path workDir(String name) throws IOException {
    return Files.createTempDirectory("tinyllm-peer-" + name + "-");
  }

  /** A loopback port free at the time of asking (a peer that then fails to bind says so). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Runs {@code command} in {@code workDir} with {@code environment} added, its output in {@code
   * peer.log} there, and waits until {@code port} on the loopback accepts a connection.
   */
  static PeerProcess start(
      String name, List<String> command, Map<String, String> environment, Path workDir, int port)
      throws IOException {
    Path log = workDir.resolve("peer.log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.environment().putAll(environment);
    Process process = builder.start();
    PeerProcess peer =
        new PeerProcess(name, process, URI.create("http://127.0.0.1:" + port), workDir);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!accepts(port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String why = process.isAlive() ? "is not listening after " + START_TIMEOUT : "ended";
        String tail = tail(log);
        peer.close();
        throw new IOException(
            name + " " + why + " (" + String.join(" ", command) + "); its log ends:\n" + tail);
      }
      try {
        // the peer gives no ready line of its own; a bounded poll of its port stands in
        process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        peer.close();
        throw new IOException("interrupted while " + name + " started", e);
      }
    }
    return peer;
  }

  URI uri() {
    return uri;
  }

  String name() {
    return name;
  }

  /** CPU of the peer and every process it started, so far (Linux: 10 ms ticks). */
  @Override
  public Duration cpuTime() {
    Duration total = cpu(process.toHandle());
    try (Stream<ProcessHandle> descendants = process.descendants()) {
      for (ProcessHandle descendant : (Iterable<ProcessHandle>) descendants::iterator) {
        total = total.plus(cpu(descendant));
      }
    }
    return total;
  }

  private static Duration cpu(ProcessHandle handle) {
    return handle
        .info()
        .totalCpuDuration()
        .orElseThrow(
            () -> new IllegalStateException("the OS does not report the CPU of " + handle.pid()));
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String tail(Path log) {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(0, file.length() - LOG_TAIL_BYTES);
      byte[] bytes = new byte[(int) (file.length() - start)];
      file.seek(start);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Asks the peer to stop (SIGTERM), then forces it and its children; removes its folder. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(PeerProcess::delete);
    } catch (IOException | UncheckedIOException e) {
      System.err.println("could not remove " + workDir + ": " + e.getMessage());
    }
  }

  private static void delete(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
