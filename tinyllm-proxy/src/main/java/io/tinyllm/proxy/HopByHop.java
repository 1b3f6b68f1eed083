package io.tinyllm.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The headers a proxy must not forward (RFC 9110 §7.6.1): {@code Connection} and every header it
 * names, and the hop-by-hop headers {@code Keep-Alive}, {@code Proxy-*}, {@code TE}, {@code
 * Trailer}, {@code Transfer-Encoding} and {@code Upgrade}. Each side of the proxy frames its own
 * connection.
 */
final class HopByHop {
  private static final Set<String> ALWAYS =
      Set.of("connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");

  /**
   * Headers the upstream client sets itself: the target's {@code Host}, and the framing of the body
   * it sends ({@code Content-Length}, {@code Expect}).
   */
  private static final Set<String> SET_BY_CLIENT = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

  static {
    SET_BY_CLIENT.addAll(List.of("host", "content-length", "expect"));
  }

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

  /**
   * Gives {@code to} each of the request's header {@code fields} that goes upstream, in order and
   * named as they came: all but the hop-by-hop ones and those the upstream client sets itself.
   */
  static void forwarded(List<Map.Entry<String, String>> fields, BiConsumer<String, String> to) {
    List<String> connection = new ArrayList<>();
    for (Map.Entry<String, String> field : fields) {
      if ("Connection".equalsIgnoreCase(field.getKey())) {
        connection.add(field.getValue());
      }
    }
    HopByHop hopByHop = new HopByHop(connection);
    for (Map.Entry<String, String> field : fields) {
      String name = field.getKey();
      if (!hopByHop.drops(name) && !SET_BY_CLIENT.contains(name)) {
        to.accept(name, field.getValue());
      }
    }
  }
}
