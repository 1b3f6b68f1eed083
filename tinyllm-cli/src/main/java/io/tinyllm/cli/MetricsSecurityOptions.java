package io.tinyllm.cli;

import io.tinyllm.metrics.exporter.HttpExporterConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * Basic auth and TLS for a command's {@code /metrics} endpoint, mapped to {@code
 * metrics.http.basic-auth.*} and {@code metrics.http.tls.*}. The password is read from a file or
 * from {@value #PASSWORD_ENV}, never from the command line, where every user of the machine can
 * read it in the process list.
 */
final class MetricsSecurityOptions {
  /** The environment variable the password is read from when no file is given. */
  static final String PASSWORD_ENV = "TINYLLM_METRICS_PASSWORD";

  /** A password file is small; anything larger is not one. */
  static final int MAX_PASSWORD_FILE_BYTES = 4096;

  @Option(
      names = "--metrics-user",
      paramLabel = "USER",
      description =
          "Require basic auth on /metrics as this user; the password comes from"
              + " --metrics-password-file or $"
              + PASSWORD_ENV
              + ".")
  String user;

  @Option(
      names = "--metrics-password-file",
      paramLabel = "FILE",
      description = "File holding the /metrics password (one line) for --metrics-user.")
  Path passwordFile;

  @Option(
      names = "--metrics-tls-cert",
      paramLabel = "FILE",
      description = "Serve /metrics over HTTPS with this PEM certificate (with --metrics-tls-key).")
  Path tlsCert;

  @Option(
      names = "--metrics-tls-key",
      paramLabel = "FILE",
      description = "PEM private key of --metrics-tls-cert.")
  Path tlsKey;

  /** The process environment; a test gives its own. */
  Function<String, String> environment = System::getenv;

  /** Whether any of these options was given. */
  boolean given() {
    return user != null || passwordFile != null || tlsCert != null || tlsKey != null;
  }

  /** Adds the basic-auth and TLS settings; a missing or unreadable password is a usage error. */
  void addTo(Map<String, String> settings) {
    if (passwordFile != null && user == null) {
      throw new UsageException("--metrics-password-file needs --metrics-user");
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new UsageException("--metrics-tls-cert and --metrics-tls-key go together");
    }
    if (user != null) {
      if (user.isBlank() || user.indexOf(':') >= 0) {
        throw new UsageException("--metrics-user must be a name without ':', got '" + user + "'");
      }
      settings.put(HttpExporterConfig.BASIC_AUTH_USER, user);
      settings.put(HttpExporterConfig.BASIC_AUTH_PASSWORD, password());
    }
    if (tlsCert != null) {
      settings.put(HttpExporterConfig.TLS_CERT, tlsCert.toString());
      settings.put(HttpExporterConfig.TLS_KEY, tlsKey.toString());
    }
  }

  /** The password: the file's first line, else the environment variable. Never printed. */
  private String password() {
    if (passwordFile == null) {
      String fromEnv = environment.apply(PASSWORD_ENV);
      if (fromEnv == null || fromEnv.isEmpty()) {
        throw new UsageException(
            "--metrics-user needs a password: --metrics-password-file FILE or $" + PASSWORD_ENV);
      }
      return fromEnv;
    }
    String where = "--metrics-password-file " + passwordFile;
    byte[] bytes;
    try {
      if (Files.size(passwordFile) > MAX_PASSWORD_FILE_BYTES) {
        throw new UsageException(
            where + ": larger than " + MAX_PASSWORD_FILE_BYTES + " bytes, not a password file");
      }
      bytes = Files.readAllBytes(passwordFile);
    } catch (NoSuchFileException e) {
      throw new UsageException(where + ": no such file");
    } catch (IOException e) {
      throw new UsageException(where + ": cannot read it (" + e.getClass().getSimpleName() + ")");
    }
    // the one line of the file, without its line end (echo "pw" > file adds one)
    String password = new String(bytes, StandardCharsets.UTF_8).replaceFirst("\\r?\\n\\z", "");
    if (password.isEmpty() || password.indexOf('\n') >= 0) {
      throw new UsageException(where + ": expected the password on one line");
    }
    return password;
  }

  /**
   * Warns, in one line on {@code err}, when {@code host} lets other machines scrape /metrics and no
   * password protects it.
   */
  void warnIfOpen(String host, PrintWriter err) {
    if (user != null || isLoopback(host)) {
      return;
    }
    err.println(
        "tinyllm: warning: /metrics on "
            + host
            + " is open to the network without authentication; protect it with --metrics-user"
            + " and --metrics-password-file (and --metrics-tls-cert/--metrics-tls-key)");
    err.flush();
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return true; // binding will fail and say so
    }
  }
}
