package io.tinyllm.proxy;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The headers a proxy must not forward (RFC 9110 §7.6.1): {@code Connection} and every header it
 * names, and the hop-by-hop headers {@code Keep-Alive}, {@code Proxy-*}, {@code TE}, {@code
 * Trailer}, {@code Transfer-Encoding} and {@code Upgrade}. Each side of the proxy frames its own
 * connection.
 */
final class HopByHop {
  private static final Set<String> ALWAYS =
      Set.of("connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");

  private final Set<String> named = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

  /** The hop-by-hop headers of a message whose {@code Connection} values are {@code connection}. */
  HopByHop(List<String> connection) {
    if (connection != null) {
      for (String value : connection) {
        for (String token : value.split(",", 64)) {
          String name = token.strip();
          if (!name.isEmpty()) {
            named.add(name);
          }
        }
      }
    }
  }

  /** Whether {@code header} stays on this hop. */
  boolean drops(String header) {
    String lower = header.toLowerCase(Locale.ROOT);
    return ALWAYS.contains(lower) || lower.startsWith("proxy-") || named.contains(header);
  }
}
