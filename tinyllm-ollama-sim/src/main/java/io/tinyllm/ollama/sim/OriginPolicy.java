package io.tinyllm.ollama.sim;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The two middlewares in front of Ollama's routes (v0.13.5 server/routes.go {@code
 * GenerateRoutes}): gin-contrib/cors v1.7.2 with Ollama's configuration, then {@code
 * allowedHostsMiddleware}. They run for every request that is not a trailing-slash redirect, 404
 * and 405 included.
 *
 * <ul>
 *   <li>CORS: a request with an {@code Origin} other than its own host's must come from an allowed
 *       origin ({@code envconfig.AllowedOrigins}: http(s) on localhost, 127.0.0.1 and 0.0.0.0 with
 *       any port or none, and the app://, file://, tauri://, vscode-webview://, vscode-file://
 *       schemes), else 403 with no body. An allowed preflight ({@code OPTIONS}) is answered 204
 *       with the allowed methods and headers; other requests get {@code
 *       Access-Control-Allow-Origin} and {@code Vary: Origin}.
 *   <li>Hosts: on a loopback listener, a {@code Host} that is neither an IP of this machine or a
 *       private network nor {@code localhost}, this host's name or a {@code .localhost}, {@code
 *       .local} or {@code .internal} name is refused with 403 (a guard against DNS rebinding); an
 *       {@code OPTIONS} to an allowed host name is answered 204.
 * </ul>
 */
final class OriginPolicy {
  private static final List<String> EXACT_ORIGINS =
      List.of(
          "http://localhost",
          "https://localhost",
          "http://127.0.0.1",
          "https://127.0.0.1",
          "http://0.0.0.0",
          "https://0.0.0.0");

  // the origins ending in '*': gin-contrib/cors matches them by prefix
  private static final List<String> ORIGIN_PREFIXES =
      List.of(
          "http://localhost:",
          "https://localhost:",
          "http://127.0.0.1:",
          "https://127.0.0.1:",
          "http://0.0.0.0:",
          "https://0.0.0.0:",
          "app://",
          "file://",
          "tauri://",
          "vscode-webview://",
          "vscode-file://");

  /** cors.DefaultConfig's methods, upper case, joined by commas as gin-contrib/cors writes them. */
  static final String ALLOW_METHODS = "GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS";

  /** Ollama's allowed headers, canonicalized as gin-contrib/cors writes them. */
  static final String ALLOW_HEADERS =
      "Authorization,Content-Type,User-Agent,Accept,X-Requested-With,Openai-Beta,"
          + "X-Stainless-Arch,X-Stainless-Async,X-Stainless-Custom-Poll-Interval,"
          + "X-Stainless-Helper-Method,X-Stainless-Lang,X-Stainless-Os,"
          + "X-Stainless-Package-Version,X-Stainless-Poll-Helper,X-Stainless-Retry-Count,"
          + "X-Stainless-Runtime,X-Stainless-Runtime-Version,X-Stainless-Timeout";

  /** cors.DefaultConfig's MaxAge, 12 hours, in seconds. */
  static final String MAX_AGE = "43200";

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%a-zA-Z]*");

  private final boolean loopbackListener;

  OriginPolicy(boolean loopbackListener) {
    this.loopbackListener = loopbackListener;
  }

  /**
   * Applies both middlewares.
   *
   * @return true when the request has been answered (403 or a 204 preflight) and must not be routed
   */
  boolean answered(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String hostHeader = exchange.getRequestHeaders().getFirst("Host");
    String host = hostHeader == null ? "" : hostHeader;
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    Headers out = exchange.getResponseHeaders();
    if (origin != null
        && !origin.isEmpty()
        && !origin.equals("http://" + host)
        && !origin.equals("https://" + host)) {
      if (!allowedOrigin(origin)) {
        HttpIo.sendEmpty(exchange, 403);
        return true;
      }
      if ("OPTIONS".equals(method)) {
        out.set("Access-Control-Allow-Headers", ALLOW_HEADERS);
        out.set("Access-Control-Allow-Methods", ALLOW_METHODS);
        out.set("Access-Control-Max-Age", MAX_AGE);
        out.add("Vary", "Origin");
        out.add("Vary", "Access-Control-Request-Method");
        out.add("Vary", "Access-Control-Request-Headers");
        out.set("Access-Control-Allow-Origin", origin);
        HttpIo.sendEmpty(exchange, 204);
        return true;
      }
      out.set("Vary", "Origin");
      out.set("Access-Control-Allow-Origin", origin);
    }
    if (!loopbackListener) {
      return false;
    }
    String name = hostName(host);
    if (isLocalAddress(name)) {
      return false;
    }
    if (allowedHost(name)) {
      if ("OPTIONS".equals(method)) {
        HttpIo.sendEmpty(exchange, 204);
        return true;
      }
      return false;
    }
    HttpIo.sendEmpty(exchange, 403);
    return true;
  }

  static boolean allowedOrigin(String origin) {
    if (EXACT_ORIGINS.contains(origin)) {
      return true;
    }
    for (String prefix : ORIGIN_PREFIXES) {
      if (origin.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** The host part of a {@code Host} header, as Go's {@code net.SplitHostPort} gives it. */
  private static String hostName(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close > 0 && (close == host.length() - 1 || host.charAt(close + 1) == ':')) {
        return close == host.length() - 1 ? host : host.substring(1, close);
      }
      return host;
    }
    int colon = host.indexOf(':');
    return colon >= 0 && colon == host.lastIndexOf(':') ? host.substring(0, colon) : host;
  }

  /** An IP literal that is loopback, private, unspecified or one of this machine's. */
  private static boolean isLocalAddress(String host) {
    boolean v4 = IPV4.matcher(host).matches();
    if (!v4 && !IPV6.matcher(host).matches()) {
      return false; // a name: never resolved here, as Ollama does not
    }
    if (v4) {
      for (String octet : host.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return false; // not a literal; InetAddress would look it up as a name
        }
      }
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host); // a literal: no lookup
    } catch (UnknownHostException e) {
      return false;
    }
    byte[] bytes = address.getAddress();
    boolean uniqueLocal6 = bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc;
    boolean private4 = bytes.length == 4 && address.isSiteLocalAddress();
    return address.isLoopbackAddress()
        || address.isAnyLocalAddress()
        || private4
        || uniqueLocal6
        || isInterfaceAddress(address);
  }

  private static boolean isInterfaceAddress(InetAddress address) {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (Collections.list(nic.getInetAddresses()).contains(address)) {
          return true;
        }
      }
    } catch (SocketException e) {
      return false;
    }
    return false;
  }

  /** Ollama's {@code allowedHost}: localhost, this host's name, or a local top-level domain. */
  private static boolean allowedHost(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    if (name.isEmpty() || name.equals("localhost")) {
      return true;
    }
    if (name.endsWith(".localhost") || name.endsWith(".local") || name.endsWith(".internal")) {
      return true;
    }
    try {
      return name.equals(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
