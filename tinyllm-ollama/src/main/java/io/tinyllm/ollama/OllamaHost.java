package io.tinyllm.ollama;

import java.net.URI;
import java.util.Locale;

/**
 * Reads an Ollama address the way Ollama's own {@code OLLAMA_HOST} is read: {@code host}, {@code
 * host:port}, {@code scheme://host[:port][/path]}. A missing scheme means {@code http}; a missing
 * port means 11434 without a scheme, 80 with {@code http://} and 443 with {@code https://}, as
 * Ollama does. A wildcard address ({@code 0.0.0.0}, {@code ::}) is what a server listens on, not
 * where a client connects, so it becomes the loopback address.
 *
 * <p>Two forms Ollama would take are refused: a scheme without a host ({@code http://}, which
 * Ollama reads as port 80 of this machine, never what was meant) and credentials ({@code
 * http://user:pw@host}, which this client would not send; messages show them as {@code ***}).
 *
 * <pre>{@code
 * OllamaHost.parse("0.0.0.0")              // http://127.0.0.1:11434
 * OllamaHost.parse("gpu-box:8080")         // http://gpu-box:8080
 * OllamaHost.parse("https://ollama.local") // https://ollama.local:443
 * }</pre>
 */
public final class OllamaHost {
  /** Where Ollama listens unless told otherwise. */
  public static final URI DEFAULT = URI.create("http://127.0.0.1:11434");

  private static final int DEFAULT_PORT = 11434;

  private OllamaHost() {}

  /**
   * The base URI for {@code value}.
   *
   * @throws IllegalArgumentException if {@code value} is not an address
   */
  public static URI parse(String value) {
    String text = value == null ? "" : value.strip();
    if (text.isEmpty()) {
      return DEFAULT;
    }
    // no message repeats a password given in the address
    value = redacted(text);
    String scheme = "http";
    int defaultPort = DEFAULT_PORT;
    int schemeEnd = text.indexOf("://");
    if (schemeEnd >= 0) {
      scheme = text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
      text = text.substring(schemeEnd + 3);
      switch (scheme) {
        case "http" -> defaultPort = 80;
        case "https" -> defaultPort = 443;
        default ->
            throw new IllegalArgumentException(
                "Unsupported scheme '" + scheme + "' in Ollama address '" + value + "'");
      }
    }
    String path = "";
    int slash = text.indexOf('/');
    if (slash >= 0) {
      path = text.substring(slash);
      text = text.substring(0, slash);
    }
    if (text.indexOf('@') >= 0) {
      // the client has no use for them, and dropping them silently would hide why a proxy
      // that wants them refuses every call
      throw new IllegalArgumentException(
          "Credentials in Ollama address '" + value + "' are not supported");
    }
    if (text.isEmpty() && schemeEnd >= 0) {
      throw new IllegalArgumentException("No host in Ollama address '" + value + "'");
    }
    String host;
    int port = defaultPort;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("Unclosed '[' in Ollama address '" + value + "'");
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (rest.startsWith(":")) {
        port = parsePort(rest.substring(1), value);
      }
    } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
      int colon = text.indexOf(':');
      host = text.substring(0, colon);
      port = parsePort(text.substring(colon + 1), value);
    } else {
      // a bare IPv6 address has several colons and no port
      host = text;
    }
    if (host.isEmpty() || host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    } else if (host.equals("::")) {
      host = "::1";
    }
    String authority = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    try {
      return URI.create(scheme + "://" + authority + ":" + port + path);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid Ollama address '" + value + "'", e);
    }
  }

  /**
   * {@code value} with the user and password of its authority replaced by {@code ***}, for
   * messages: {@code http://bob:pw@host:11434} becomes {@code http://***@host:11434}.
   */
  public static String redacted(String value) {
    if (value == null) {
      return null;
    }
    int schemeEnd = value.indexOf("://");
    int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
    int slash = value.indexOf('/', start);
    int end = slash < 0 ? value.length() : slash;
    int at = value.lastIndexOf('@', end - 1);
    return at < start ? value : value.substring(0, start) + "***" + value.substring(at);
  }

  private static int parsePort(String text, String value) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("Missing port in Ollama address '" + value + "'");
    }
    try {
      int port = Integer.parseInt(text);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("Port out of range in Ollama address '" + value + "'");
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid port in Ollama address '" + value + "'", e);
    }
  }
}
