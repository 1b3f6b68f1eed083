package io.tinyllm.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Finding a peer's program on the machine, asking it its version, and naming its exact bytes. */
final class PeerPrograms {
  /** A version command prints a line or two; more is not read. */
  private static final int MAX_OUTPUT = 4096;

  private PeerPrograms() {}

  /** {@code program} on the {@code PATH} or in the system folders (nginx lives in /usr/sbin). */
  static Optional<Path> find(String program) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin"));
    for (String dir : dirs) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Runs a short command; its exit code and the start of its output (stdout and stderr). */
  static Result run(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8).strip();
      in.transferTo(OutputStream.nullOutputStream());
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not end within 30 s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", command), e);
    }
    return new Result(process.exitValue(), output);
  }

  /** The first 12 hex digits of the file's SHA-256, to tie a run to the exact peer code. */
  static String digest(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        sha.update(buffer, 0, n);
      }
      return "sha256 " + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** A finished short command. */
  record Result(int exitCode, String output) {}
}
