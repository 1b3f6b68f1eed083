package io.tinyllm.metrics.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds programs a test needs from the machine (Debian's {@code prometheus-pushgateway}, {@code
 * redis-server}, ...). When one is missing the test is skipped with the reason printed — unless
 * {@code -Dtinyllm.require-external=true} (set by CI), where it fails instead, so CI can never pass
 * by skipping.
 */
public final class ExternalPrograms {
  public static final String REQUIRE_PROPERTY = "tinyllm.require-external";

  private ExternalPrograms() {}

  /** The program's path, or a skipped (locally) or failed (CI) test naming the package. */
  public static Path require(String program, String debianPackage) {
    Optional<Path> found = find(program);
    if (found.isPresent()) {
      return found.get();
    }
    String reason =
        "'"
            + program
            + "' is not installed (Debian package '"
            + debianPackage
            + "'; .ci/run installs it)";
    if (Boolean.getBoolean(REQUIRE_PROPERTY)) {
      return Assertions.fail(reason + " and " + REQUIRE_PROPERTY + "=true requires it");
    }
    System.err.println("SKIPPED: " + reason);
    Assumptions.abort(reason);
    throw new AssertionError("unreachable");
  }

  public static Optional<Path> find(String program) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"));
    for (String dir : dirs) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Ends {@code process}: asks it to stop, and kills it if it has not within 10 s. An interrupt
   * stops the waiting, not the stopping.
   */
  public static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
