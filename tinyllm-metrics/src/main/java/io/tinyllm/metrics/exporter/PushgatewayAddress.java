package io.tinyllm.metrics.exporter;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where the Pushgateway is: {@code host[:port]}, or a URL {@code http(s)://host[:port][/]} whose
 * {@code https://} turns TLS on. Read once, by {@link #parse}, for the setting and for the CLI's
 * {@code --push-gateway} alike, so a bad address fails before anything runs instead of at push
 * time.
 *
 * <pre>{@code
 * PushgatewayAddress.parse("https://gw.example:9443/") // gw.example:9443, https
 * PushgatewayAddress.parse("127.0.0.1:99999")          // IllegalArgumentException: port ...
 * }</pre>
 *
 * <p>Credentials in the address ({@code http://user:pw@host}) are refused, never used: the address
 * ends up in process listings, logs and error messages. The error names the address with the
 * credentials cut out.
 *
 * @param hostPort {@code host:port} (the port omitted when the address had none)
 * @param https whether the push goes over TLS
 */
public record PushgatewayAddress(String hostPort, boolean https) {
  public PushgatewayAddress {
    requireNonNull(hostPort, "hostPort is null");
  }

  /**
   * The address {@code value} names.
   *
   * @throws IllegalArgumentException naming what is wrong, never a password
   */
  public static PushgatewayAddress parse(String value) {
    String text = value == null ? "" : value.strip();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("an empty address: expected host:port");
    }
    boolean https = false;
    int schemeEnd = text.indexOf("://");
    if (schemeEnd >= 0) {
      String scheme = text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException(
            "'" + text + "': unsupported scheme '" + scheme + "' (http or https)");
      }
      https = scheme.equals("https");
      text = text.substring(schemeEnd + 3);
    }
    text = text.replaceFirst("/+$", "");
    int at = text.lastIndexOf('@');
    if (at >= 0) {
      throw new IllegalArgumentException(
          "'"
              + redacted(value)
              + "': credentials in the address are not accepted; give basic auth separately");
    }
    if (text.isEmpty() || text.contains("/")) {
      throw new IllegalArgumentException("'" + text + "': expected host:port, without a path");
    }
    URI uri;
    try {
      uri = new URI("http://" + text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a host:port");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null) {
      throw new IllegalArgumentException("'" + text + "' is not a host:port");
    }
    if (text.endsWith(":")) {
      throw new IllegalArgumentException("'" + text + "': a port is a number from 1 to 65535");
    }
    if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
      throw new IllegalArgumentException(
          "'" + text + "': port " + uri.getPort() + " is not from 1 to 65535");
    }
    return new PushgatewayAddress(text, https);
  }

  /** {@code value} with anything before an {@code @} in its authority replaced by {@code ***}. */
  static String redacted(String value) {
    String text = value.strip();
    int schemeEnd = text.indexOf("://");
    int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
    int slash = text.indexOf('/', start);
    int end = slash < 0 ? text.length() : slash;
    int at = text.lastIndexOf('@', end - 1);
    return at < start ? text : text.substring(0, start) + "***" + text.substring(at);
  }
}
