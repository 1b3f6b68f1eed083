package io.tinyllm.cli;

import io.tinyllm.metrics.exporter.HttpExporterConfig;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
      settings.put(
          HttpExporterConfig.BASIC_AUTH_PASSWORD,
          PasswordFile.read(
              "--metrics-user",
              "--metrics-password-file",
              passwordFile,
              PASSWORD_ENV,
              environment));
    }
    if (tlsCert != null) {
      settings.put(HttpExporterConfig.TLS_CERT, tlsCert.toString());
      settings.put(HttpExporterConfig.TLS_KEY, tlsKey.toString());
    }
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
