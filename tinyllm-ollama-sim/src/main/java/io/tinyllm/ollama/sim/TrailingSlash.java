package io.tinyllm.ollama.sim;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Gin's {@code RedirectTrailingSlash} (v1.10.0 gin.go): when no route serves the path for the
 * request's method but one does with a trailing slash added or removed, the answer is a redirect
 * there, before any middleware: 301 for GET, 307 (which keeps method and body) otherwise, written
 * by Go's {@code http.Redirect}.
 */
final class TrailingSlash {
  private TrailingSlash() {}

  /** Where {@code path} redirects for {@code method}, if anywhere. */
  static Optional<String> target(String method, String path) {
    if (path.equals("/") || "CONNECT".equals(method)) {
      return Optional.empty();
    }
    String other = path.endsWith("/") ? path.substring(0, path.length() - 1) : path + "/";
    if (other.isEmpty()) {
      return Optional.empty();
    }
    Optional<Endpoint> exact = Endpoint.forPath(path);
    if (exact.isPresent() && exact.get().allows(method)) {
      return Optional.empty();
    }
    return Endpoint.forPath(other).filter(e -> e.allows(method)).map(e -> other);
  }

  /** Sends the redirect to {@code target} (with the request's query) as Go's http.Redirect. */
  static void redirect(HttpExchange exchange, String target) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    String location = query == null ? target : target + "?" + query;
    String method = exchange.getRequestMethod();
    int status = "GET".equals(method) ? 301 : 307;
    exchange.getResponseHeaders().set("Location", location);
    if ("GET".equals(method) || "HEAD".equals(method)) {
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    }
    if (!"GET".equals(method)) {
      // Go writes no body for POST or HEAD
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    String statusText = "Moved Permanently";
    byte[] body =
        ("<a href=\"" + htmlEscape(location) + "\">" + statusText + "</a>.\n\n")
            .getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static String htmlEscape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&#34;")
        .replace("'", "&#39;");
  }
}
