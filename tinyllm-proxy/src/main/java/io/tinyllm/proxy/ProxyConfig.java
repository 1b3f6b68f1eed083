package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.time.Duration;

/**
 * Where {@code tinyllm proxy} listens, how many connections it serves at once and how long it keeps
 * an idle one. The upstream is the Ollama client's {@code ollama.host} ({@code --ollama}, else
 * {@code OLLAMA_HOST}, else {@code http://127.0.0.1:11434}), so the proxy and the client agree on
 * one address.
 *
 * <pre>{@code
 * ProxyConfig config = ProxyConfig.from(Settings.of(Map.of("proxy.port", "8080")));
 * }</pre>
 *
 * @param host the address to bind ({@code 127.0.0.1}: this machine only)
 * @param port the port to listen on; 0 picks a free one
 * @param maxConcurrent client connections served at once, one thread each for the connection's
 *     life; a new one beyond it takes the place of the longest idle, else is answered 503
 * @param keepAliveTimeout how long a kept-alive client connection may wait for its next request
 *     before the proxy closes it
 */
public record ProxyConfig(String host, int port, int maxConcurrent, Duration keepAliveTimeout) {
  public static final String HOST = "proxy.host";
  public static final String PORT = "proxy.port";
  public static final String MAX_CONCURRENT = "proxy.max-concurrent";
  public static final String KEEP_ALIVE_TIMEOUT = "proxy.keep-alive-timeout";

  public static final String DEFAULT_HOST = "127.0.0.1";

  /** One above Ollama's 11434, so the proxy can sit beside it on the same machine. */
  public static final int DEFAULT_PORT = 11435;

  /**
   * Far above what one Ollama serves at once (OLLAMA_NUM_PARALLEL × loaded models), so streams that
   * wait on Ollama's queue, and slow readers, never starve a quick request like /api/tags.
   */
  public static final int DEFAULT_MAX_CONCURRENT = 256;

  /**
   * The JDK HTTP server's idle time, which the proxy had before; above the 4 s after which Node's
   * {@code fetch} (undici) drops an idle connection itself.
   */
  public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(30);

  public ProxyConfig {
    requireNonNull(host, "host is null");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host is blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be positive: " + maxConcurrent);
    }
    requireNonNull(keepAliveTimeout, "keepAliveTimeout is null");
    if (!inRange(keepAliveTimeout)) {
      throw new IllegalArgumentException(
          KEEP_ALIVE_TIMEOUT + " must be 1ms..1d: " + keepAliveTimeout);
    }
  }

  public static ProxyConfig defaults() {
    return from(Settings.empty());
  }

  public static ProxyConfig from(Settings settings) {
    requireNonNull(settings, "settings is null");
    Duration keepAlive = settings.getDuration(KEEP_ALIVE_TIMEOUT, DEFAULT_KEEP_ALIVE_TIMEOUT);
    if (!inRange(keepAlive)) {
      throw new ConfigException(
          "Invalid value '"
              + settings.get(KEEP_ALIVE_TIMEOUT).orElse("")
              + "' for setting '"
              + KEEP_ALIVE_TIMEOUT
              + "': expected a duration from 1ms to 1d");
    }
    return new ProxyConfig(
        settings.getString(HOST, DEFAULT_HOST).strip(),
        settings.getInt(PORT, DEFAULT_PORT, 0, 65535),
        settings.getInt(MAX_CONCURRENT, DEFAULT_MAX_CONCURRENT, 1, 10_000),
        keepAlive);
  }

  private static boolean inRange(Duration keepAlive) {
    return keepAlive.compareTo(Duration.ofMillis(1)) >= 0
        && keepAlive.compareTo(Duration.ofDays(1)) <= 0;
  }
}
