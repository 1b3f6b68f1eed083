package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;

/**
 * Where {@code tinyllm proxy} listens and how many exchanges it serves at once. The upstream is the
 * Ollama client's {@code ollama.host} ({@code --ollama}, else {@code OLLAMA_HOST}, else {@code
 * http://127.0.0.1:11434}), so the proxy and the client agree on one address.
 *
 * <pre>{@code
 * ProxyConfig config = ProxyConfig.from(Settings.of(Map.of("proxy.port", "8080")));
 * }</pre>
 *
 * @param host the address to bind ({@code 127.0.0.1}: this machine only)
 * @param port the port to listen on; 0 picks a free one
 * @param maxConcurrent exchanges served at once (one thread each); more wait in a queue of the same
 *     size, and connections beyond that are closed
 */
public record ProxyConfig(String host, int port, int maxConcurrent) {
  public static final String HOST = "proxy.host";
  public static final String PORT = "proxy.port";
  public static final String MAX_CONCURRENT = "proxy.max-concurrent";

  public static final String DEFAULT_HOST = "127.0.0.1";

  /** One above Ollama's 11434, so the proxy can sit beside it on the same machine. */
  public static final int DEFAULT_PORT = 11435;

  /**
   * Far above what one Ollama serves at once (OLLAMA_NUM_PARALLEL × loaded models), so streams that
   * wait on Ollama's queue, and slow readers, never starve a quick request like /api/tags.
   */
  public static final int DEFAULT_MAX_CONCURRENT = 256;

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
  }

  public static ProxyConfig defaults() {
    return from(Settings.empty());
  }

  public static ProxyConfig from(Settings settings) {
    requireNonNull(settings, "settings is null");
    return new ProxyConfig(
        settings.getString(HOST, DEFAULT_HOST).strip(),
        settings.getInt(PORT, DEFAULT_PORT, 0, 65535),
        settings.getInt(MAX_CONCURRENT, DEFAULT_MAX_CONCURRENT, 1, 10_000));
  }
}
