package io.tinyllm.metrics.exporter;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the HTTP metrics endpoint.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@code metrics.http.host}</td><td>{@value #DEFAULT_HOST} (loopback only)</td></tr>
 *   <tr><td>{@code metrics.http.port}</td><td>{@value #DEFAULT_PORT}; 0 picks a free port</td></tr>
 *   <tr><td>{@code metrics.http.basic-auth.user} / {@code .password}</td><td>none</td></tr>
 *   <tr><td>{@code metrics.http.tls.cert} / {@code .key}</td><td>none; PEM files</td></tr>
 *   <tr><td>{@code metrics.http.tls.keystore} / {@code .keystore-password}</td><td>none; PKCS#12</td></tr>
 *   <tr><td>{@code metrics.http.threads}</td><td>{@value #DEFAULT_THREADS} request threads</td></tr>
 *   <tr><td>{@code metrics.http.backlog}</td><td>{@value #DEFAULT_BACKLOG} connections waiting for accept</td></tr>
 *   <tr><td>{@code metrics.http.header-timeout}</td><td>10s to send a request's line and headers</td></tr>
 * </table>
 *
 * <p>The default port is neither Prometheus' 9090 nor the Pushgateway's 9091.
 */
public record HttpExporterConfig(
    String host,
    int port,
    Optional<String> basicAuthUser,
    Optional<String> basicAuthPassword,
    Optional<Path> tlsCert,
    Optional<Path> tlsKey,
    Optional<Path> tlsKeystore,
    Optional<String> tlsKeystorePassword,
    int threads,
    int backlog,
    Duration headerTimeout) {

  public static final String HOST = "metrics.http.host";
  public static final String PORT = "metrics.http.port";
  public static final String BASIC_AUTH_USER = "metrics.http.basic-auth.user";
  public static final String BASIC_AUTH_PASSWORD = "metrics.http.basic-auth.password";
  public static final String TLS_CERT = "metrics.http.tls.cert";
  public static final String TLS_KEY = "metrics.http.tls.key";
  public static final String TLS_KEYSTORE = "metrics.http.tls.keystore";
  public static final String TLS_KEYSTORE_PASSWORD = "metrics.http.tls.keystore-password";
  public static final String THREADS = "metrics.http.threads";
  public static final String BACKLOG = "metrics.http.backlog";
  public static final String HEADER_TIMEOUT = "metrics.http.header-timeout";

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9478;

  /** Enough for several scrapers at once plus slow clients until the header timeout drops them. */
  public static final int DEFAULT_THREADS = 16;

  /** The JDK server's default (50) rounded up; client_java's HTTPServer uses 3. */
  public static final int DEFAULT_BACKLOG = 128;

  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);

  /** The endpoint with the default server limits. */
  public HttpExporterConfig(
      String host,
      int port,
      Optional<String> basicAuthUser,
      Optional<String> basicAuthPassword,
      Optional<Path> tlsCert,
      Optional<Path> tlsKey,
      Optional<Path> tlsKeystore,
      Optional<String> tlsKeystorePassword) {
    this(
        host,
        port,
        basicAuthUser,
        basicAuthPassword,
        tlsCert,
        tlsKey,
        tlsKeystore,
        tlsKeystorePassword,
        DEFAULT_THREADS,
        DEFAULT_BACKLOG,
        DEFAULT_HEADER_TIMEOUT);
  }

  public HttpExporterConfig {
    requireNonNull(host, "host is null");
    requireNonNull(headerTimeout, "headerTimeout is null");
    if (threads < 1 || threads > 1000) {
      throw new ConfigException(
          "Invalid value '" + threads + "' for setting '" + THREADS + "': expected 1 to 1000");
    }
    if (backlog < 1 || backlog > 65535) {
      throw new ConfigException(
          "Invalid value '" + backlog + "' for setting '" + BACKLOG + "': expected 1 to 65535");
    }
    if (headerTimeout.isNegative()
        || headerTimeout.isZero()
        || headerTimeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigException(
          "Invalid value '"
              + headerTimeout.toMillis()
              + "ms' for setting '"
              + HEADER_TIMEOUT
              + "': expected more than 0 and at most 1h");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException(
          "Invalid value '" + port + "' for setting '" + PORT + "': expected 0 to 65535");
    }
    if (basicAuthUser.isPresent() != basicAuthPassword.isPresent()) {
      throw new ConfigException(
          "Basic auth needs both '" + BASIC_AUTH_USER + "' and '" + BASIC_AUTH_PASSWORD + "'");
    }
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      throw new ConfigException("PEM TLS needs both '" + TLS_CERT + "' and '" + TLS_KEY + "'");
    }
    if (tlsCert.isPresent() && tlsKeystore.isPresent()) {
      throw new ConfigException(
          "Set either '" + TLS_CERT + "'/'" + TLS_KEY + "' or '" + TLS_KEYSTORE + "', not both");
    }
  }

  public static HttpExporterConfig from(Settings settings) {
    return new HttpExporterConfig(
        settings.getString(HOST, DEFAULT_HOST),
        settings.getInt(PORT, DEFAULT_PORT),
        settings.get(BASIC_AUTH_USER),
        settings.get(BASIC_AUTH_PASSWORD),
        settings.get(TLS_CERT).map(Path::of),
        settings.get(TLS_KEY).map(Path::of),
        settings.get(TLS_KEYSTORE).map(Path::of),
        settings.get(TLS_KEYSTORE_PASSWORD),
        settings.getInt(THREADS, DEFAULT_THREADS),
        settings.getInt(BACKLOG, DEFAULT_BACKLOG),
        settings.getDuration(HEADER_TIMEOUT, DEFAULT_HEADER_TIMEOUT));
  }

  public boolean tlsEnabled() {
    return tlsCert.isPresent() || tlsKeystore.isPresent();
  }

  @Override
  public String toString() {
    return "HttpExporterConfig[host="
        + host
        + ", port="
        + port
        + ", basicAuth="
        + basicAuthUser.isPresent()
        + ", tls="
        + tlsEnabled()
        + ", threads="
        + threads
        + ", backlog="
        + backlog
        + ", headerTimeout="
        + headerTimeout
        + "]";
  }
}
