package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.executor.GraphLoader;
import io.tinyllm.metrics.SystemInfoMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher with and without an AppCDS archive: {@code bin/tinyllm-cds} makes one that {@code
 * bin/tinyllm} then starts from, and an archive that does not fit (another JVM build, another
 * installation, a truncated or foreign file) leaves the command's output and exit status as they
 * are without it. The archives live in a temporary directory ({@code TINYLLM_CDS_ARCHIVE}), never
 * in the distribution's {@code lib/}.
 */
class LauncherCdsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final String VERSION_OUT =
      "tinyllm " + SystemInfoMetrics.version() + "\nJava " + System.getProperty("java.version");
  private static final String MAIN_FROM_ARCHIVE =
      "io.tinyllm.cli.Main source: shared objects file (top)";

  @TempDir static Path dir;
  private static Path archiveDir;
  private static Path archive;
  private static Result created;

  @BeforeAll
  static void createArchive() throws IOException {
    archiveDir = Files.createDirectory(dir.resolve("made"));
    archive = archiveDir.resolve("tinyllm.jsa");
    created =
        run(cds(), Map.of("TINYLLM_CDS_ARCHIVE", archive.toString()), List.of("--duration", "2s"));
  }

  @Test
  void tinyllmCdsWritesTheArchiveAndItsSize() throws IOException {
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.out())
        .contains("tinyllm-cds: wrote " + archive)
        .contains("for Java " + System.getProperty("java.version"));
    assertThat(archive).isRegularFile();
    assertThat(Files.readString(archiveDir.resolve("tinyllm.jsa.size")).trim())
        .isEqualTo(String.valueOf(Files.size(archive)));
    try (Stream<Path> files = Files.list(archiveDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary file left behind")
          .containsExactlyInAnyOrder("tinyllm.jsa", "tinyllm.jsa.size");
    }
  }

  @Test
  void theLauncherStartsFromTheArchive() throws IOException {
    Path log = dir.resolve("with-archive.log");
    Result version = version(archive, classLoadLog(log));

    assertThat(version.exitCode()).as(version.err()).isZero();
    assertThat(version.out()).startsWith(VERSION_OUT);
    assertThat(Files.readString(log)).contains(MAIN_FROM_ARCHIVE);
  }

  @Test
  void anEmptyArchiveSettingStartsWithoutOne() throws IOException {
    Path log = dir.resolve("without-archive.log");
    Result version = run(Launcher.path(), env("", classLoadLog(log)), List.of("--version"));

    assertThat(version.exitCode()).as(version.err()).isZero();
    assertThat(version.out()).startsWith(VERSION_OUT);
    assertThat(Files.readString(log)).doesNotContain(MAIN_FROM_ARCHIVE);
  }

  @Test
  void graphValidateAnswersTheSameWithTheArchive() throws IOException {
    Path graph = dir.resolve("routed.yaml");
    try (InputStream in =
        GraphLoader.class.getResourceAsStream("/io/tinyllm/executor/graphs/routed.yaml")) {
      assertThat(in).as("the routed example graph").isNotNull();
      Files.copy(in, graph);
    }
    List<String> validate = List.of("graph", "validate", graph.toString());

    Result with = run(Launcher.path(), env(archive.toString(), null), validate);
    Result without = run(Launcher.path(), env("", null), validate);

    assertThat(with.exitCode()).as(with.err()).isZero();
    assertThat(with.out()).startsWith(graph + ": valid graph 'routed'");
    assertThat(with).isEqualTo(without);
  }

  @Test
  void anArchiveOfAnotherJvmBuildIsIgnoredQuietly() throws IOException {
    // the header names the JVM build that made the archive; change one character of it
    byte[] bytes = Files.readAllBytes(archive);
    byte[] build = System.getProperty("java.vm.version").getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(bytes, build, 64 * 1024);
    assertThat(at).as("JVM build %s in the archive's header", new String(build)).isNotNegative();
    bytes[at] = (byte) (bytes[at] == '9' ? '8' : bytes[at] + 1);
    Path other = withSize(dir.resolve("other-build.jsa"), bytes);

    assertQuietlyIgnored(other);
  }

  @Test
  void anArchiveOfAnotherInstallationIsIgnoredQuietly(@TempDir Path copy) throws IOException {
    // the same jars at another path: the archive records the class path it was made for
    Path home = Launcher.path().getParent().getParent();
    Path bin = Files.createDirectories(copy.resolve("bin"));
    Path lib = Files.createDirectories(copy.resolve("lib"));
    Files.copy(Launcher.path(), bin.resolve("tinyllm"), StandardCopyOption.COPY_ATTRIBUTES);
    try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
      for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
        Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    Path log = dir.resolve("other-installation.log");

    Result version =
        run(
            bin.resolve("tinyllm"),
            env(archive.toString(), classLoadLog(log)),
            List.of("--version"));

    assertThat(version.exitCode()).as(version.err()).isZero();
    assertThat(version.out()).startsWith(VERSION_OUT);
    assertThat(version.err()).isEmpty();
    assertThat(Files.readString(log)).doesNotContain(MAIN_FROM_ARCHIVE);
  }

  @Test
  void aTruncatedArchiveIsNotUsed() throws IOException {
    // JDK 17 does not survive mapping a truncated archive: the launcher compares the size first
    byte[] bytes = Files.readAllBytes(archive);
    Path truncated = dir.resolve("truncated.jsa");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    Files.writeString(dir.resolve("truncated.jsa.size"), bytes.length + "\n");

    assertQuietlyIgnored(truncated);
  }

  @Test
  void anArchiveWithoutItsSizeIsNotUsed() throws IOException {
    Path copy = dir.resolve("no-size.jsa");
    Files.copy(archive, copy);

    assertQuietlyIgnored(copy);
  }

  @Test
  void aFileThatIsNoArchiveIsIgnoredQuietly() {
    byte[] junk = new byte[64 * 1024];
    Arrays.fill(junk, (byte) 'x');

    assertQuietlyIgnored(withSize(dir.resolve("junk.jsa"), junk));
    assertQuietlyIgnored(withSize(dir.resolve("empty.jsa"), new byte[0]));
    assertQuietlyIgnored(dir.resolve("missing.jsa"));
  }

  @Test
  void tinyllmCdsRemovesTheArchive() throws IOException {
    Path copy = dir.resolve("to-remove.jsa");
    Files.copy(archive, copy);
    Files.copy(archiveDir.resolve("tinyllm.jsa.size"), dir.resolve("to-remove.jsa.size"));

    Result removed = run(cds(), Map.of(), List.of("--remove", copy.toString()));

    assertThat(removed.exitCode()).as(removed.err()).isZero();
    assertThat(copy).doesNotExist();
    assertThat(dir.resolve("to-remove.jsa.size")).doesNotExist();
  }

  @Test
  void tinyllmCdsRejectsAnUnknownOption() {
    Result result = run(cds(), Map.of(), List.of("--frobnicate"));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).isEqualTo("tinyllm-cds: unknown option '--frobnicate' (try --help)\n");
  }

  /** {@code --version} with {@code archive} exits 0 and prints exactly what it prints without. */
  private static void assertQuietlyIgnored(Path archive) {
    Path log = dir.resolve(archive.getFileName() + ".log");
    Result version = version(archive, classLoadLog(log));

    assertThat(version.exitCode()).as(archive + ": " + version.err()).isZero();
    assertThat(version.out()).as(archive.toString()).startsWith(VERSION_OUT);
    assertThat(version.err()).as(archive.toString()).isEmpty();
    try {
      assertThat(Files.readString(log)).doesNotContain(MAIN_FROM_ARCHIVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Result version(Path archive, String javaOptions) {
    return run(Launcher.path(), env(archive.toString(), javaOptions), List.of("--version"));
  }

  /** JVM options that log class loading to {@code log}, leaving stdout to the command. */
  private static String classLoadLog(Path log) {
    return "-Xlog:class+load=info:file=" + log;
  }

  private static Map<String, String> env(String archive, String javaOptions) {
    return javaOptions == null
        ? Map.of("TINYLLM_CDS_ARCHIVE", archive)
        : Map.of("TINYLLM_CDS_ARCHIVE", archive, "JDK_JAVA_OPTIONS", javaOptions);
  }

  private static Path cds() {
    Path cds = Launcher.path().resolveSibling("tinyllm-cds");
    assertThat(cds).as("bin/tinyllm-cds of the distribution").isExecutable();
    return cds;
  }

  /** Writes {@code bytes} and the size file the launcher checks. */
  private static Path withSize(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
      Files.writeString(file.resolveSibling(file.getFileName() + ".size"), bytes.length + "\n");
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle, int limit) {
    outer:
    for (int i = 0; i + needle.length <= Math.min(haystack.length, limit); i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Runs {@code program} with {@code args} and the environment of this JVM plus {@code env}
   * (JAVA_HOME is this JVM's, as {@link Launcher} sets it), bounded by {@link #TIMEOUT}.
   */
  private static Result run(Path program, Map<String, String> env, List<String> args) {
    try {
      Path out = Files.createTempFile("tinyllm-cds", ".out");
      Path err = Files.createTempFile("tinyllm-cds", ".err");
      List<String> command = new ArrayList<>();
      command.add(program.toString());
      command.addAll(args);
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      builder.environment().remove("JDK_JAVA_OPTIONS");
      builder.environment().remove("TINYLLM_JAVA_OPTS");
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(command + " did not end in " + TIMEOUT);
      }
      Result result =
          new Result(
              process.exitValue(),
              Files.readString(out, StandardCharsets.UTF_8),
              withoutJavaOptionsNote(Files.readString(err, StandardCharsets.UTF_8)));
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

  /** The java launcher's note on JDK_JAVA_OPTIONS, which the tests set themselves. */
  private static String withoutJavaOptionsNote(String err) {
    return err.replaceAll("(?m)^NOTE: Picked up JDK_JAVA_OPTIONS: .*\\R", "");
  }

  private record Result(int exitCode, String out, String err) {}
}
