package io.tinyllm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Reads a password from a file or an environment variable, never from the command line, where every
 * user of the machine can read it in the process list. No message shows the password.
 */
final class PasswordFile {
  /** A password file is small; anything larger is not one. */
  static final int MAX_BYTES = 4096;

  private PasswordFile() {}

  /**
   * The password of {@code userOption}: the one line of {@code file} (given as {@code fileOption}),
   * else the variable {@code env} of {@code environment}.
   *
   * @throws UsageException when there is none, or the file is missing, large or not one line
   */
  static String read(
      String userOption,
      String fileOption,
      Path file,
      String env,
      Function<String, String> environment) {
    if (file == null) {
      String fromEnv = environment.apply(env);
      if (fromEnv == null || fromEnv.isEmpty()) {
        throw new UsageException(
            userOption + " needs a password: " + fileOption + " FILE or $" + env);
      }
      return fromEnv;
    }
    String where = fileOption + " " + file;
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new UsageException(
            where + ": larger than " + MAX_BYTES + " bytes, not a password file");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UsageException(where + ": no such file");
    } catch (IOException e) {
      throw new UsageException(where + ": cannot read it (" + IoErrors.describe(e) + ")");
    }
    // the one line of the file, without its line end (echo "pw" > file adds one)
    String password = new String(bytes, StandardCharsets.UTF_8).replaceFirst("\\r?\\n\\z", "");
    if (password.isEmpty() || password.indexOf('\n') >= 0) {
      throw new UsageException(where + ": expected the password on one line");
    }
    return password;
  }
}
