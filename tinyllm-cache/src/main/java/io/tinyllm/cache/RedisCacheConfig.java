package io.tinyllm.cache;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the Redis backend ({@code cache.backend=redis}).
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@code cache.redis.uri}</td><td>{@value #DEFAULT_URI}; {@code rediss://} means TLS</td></tr>
 *   <tr><td>{@code cache.redis.key-prefix}</td><td>{@value #DEFAULT_KEY_PREFIX}</td></tr>
 *   <tr><td>{@code cache.redis.timeout}</td><td>{@code 250ms}: connect and per-command</td></tr>
 *   <tr><td>{@code cache.redis.reconnect-delay}</td><td>{@code 1s}: longest wait between reconnects</td></tr>
 *   <tr><td>{@code cache.redis.username}</td><td>none (ACL user; the password alone uses {@code default})</td></tr>
 *   <tr><td>{@code cache.redis.password}</td><td>none</td></tr>
 *   <tr><td>{@code cache.redis.tls}</td><td>{@code false}, or {@code true} for a {@code rediss://} URI</td></tr>
 *   <tr><td>{@code cache.redis.tls-verify-peer}</td><td>{@code true}</td></tr>
 *   <tr><td>{@code cache.redis.tls-ca-file}</td><td>none: the JDK's trusted CAs; else a PEM file</td></tr>
 * </table>
 *
 * <p>Username and password given here override any in the URI. {@link #toString()} masks the
 * password.
 */
public record RedisCacheConfig(
    URI uri,
    String keyPrefix,
    Duration timeout,
    Duration reconnectDelay,
    Optional<String> username,
    Optional<String> password,
    boolean tls,
    boolean tlsVerifyPeer,
    Optional<String> tlsCaFile) {

  public static final String URI_KEY = "cache.redis.uri";
  public static final String KEY_PREFIX = "cache.redis.key-prefix";
  public static final String TIMEOUT = "cache.redis.timeout";
  public static final String RECONNECT_DELAY = "cache.redis.reconnect-delay";
  public static final String USERNAME = "cache.redis.username";
  public static final String PASSWORD = "cache.redis.password";
  public static final String TLS = "cache.redis.tls";
  public static final String TLS_VERIFY_PEER = "cache.redis.tls-verify-peer";
  public static final String TLS_CA_FILE = "cache.redis.tls-ca-file";

  public static final String DEFAULT_URI = "redis://127.0.0.1:6379";
  public static final String DEFAULT_KEY_PREFIX = "tinyllm:cache:";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(250);
  public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofSeconds(1);

  public RedisCacheConfig {
    requireNonNull(uri, "uri is null");
    requireNonNull(keyPrefix, "keyPrefix is null");
    requireNonNull(timeout, "timeout is null");
    requireNonNull(reconnectDelay, "reconnectDelay is null");
    requireNonNull(username, "username is null");
    requireNonNull(password, "password is null");
    requireNonNull(tlsCaFile, "tlsCaFile is null");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new ConfigException("Setting '" + TIMEOUT + "' must be positive, got " + timeout);
    }
    if (reconnectDelay.isZero() || reconnectDelay.isNegative()) {
      throw new ConfigException(
          "Setting '" + RECONNECT_DELAY + "' must be positive, got " + reconnectDelay);
    }
  }

  public static RedisCacheConfig from(Settings settings) {
    URI uri = parseUri(settings.getString(URI_KEY, DEFAULT_URI));
    return new RedisCacheConfig(
        uri,
        settings.getString(KEY_PREFIX, DEFAULT_KEY_PREFIX),
        settings.getDuration(TIMEOUT, DEFAULT_TIMEOUT),
        settings.getDuration(RECONNECT_DELAY, DEFAULT_RECONNECT_DELAY),
        settings.get(USERNAME),
        settings.get(PASSWORD),
        settings.getBoolean(TLS, "rediss".equals(uri.getScheme())),
        settings.getBoolean(TLS_VERIFY_PEER, true),
        settings.get(TLS_CA_FILE));
  }

  private static URI parseUri(String text) {
    try {
      URI uri = new URI(text);
      if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
        throw new ConfigException(
            "Invalid value '"
                + text
                + "' for setting '"
                + URI_KEY
                + "': expected redis://host:port or rediss://host:port");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(
          "Invalid value '" + text + "' for setting '" + URI_KEY + "': " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "RedisCacheConfig[uri="
        + redacted(uri)
        + ", keyPrefix="
        + keyPrefix
        + ", timeout="
        + timeout
        + ", reconnectDelay="
        + reconnectDelay
        + ", username="
        + username.orElse("")
        + ", password="
        + (password.isPresent() ? "****" : "")
        + ", tls="
        + tls
        + ", tlsVerifyPeer="
        + tlsVerifyPeer
        + ", tlsCaFile="
        + tlsCaFile.orElse("")
        + "]";
  }

  // a URI may carry a password in its user info
  private static String redacted(URI uri) {
    return uri.getUserInfo() == null
        ? uri.toString()
        : uri.toString().replace(uri.getRawUserInfo() + "@", "****@");
  }
}
