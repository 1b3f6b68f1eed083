package io.tinyllm.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * One request to the proxy and its answer, as {@link Forwarder}, {@link FleetViews} and {@link
 * CacheLookup} see it, whatever HTTP server carries it. The answer is given once, by {@link
 * #respond}: its status, how its body is framed, and a callback that writes the body while the
 * server holds the connection, so a streamed answer goes out piece by piece, a flush after each.
 *
 * <pre>{@code
 * exchange.setResponseHeader("Content-Type", "application/x-ndjson");
 * exchange.respond(200, ProxyExchange.CHUNKED, out -> {
 *   out.write(line);
 *   out.flush(); // this piece reaches the client now
 * });
 * }</pre>
 *
 * <p>An {@link IOException} out of the body callback breaks the connection off (a chunked answer
 * then has no final chunk), which is how a cut answer reaches the client.
 */
interface ProxyExchange {
  /** {@link #respond}'s length for an answer without a body. */
  long NO_BODY = -1;

  /** {@link #respond}'s length for a body of unknown length, sent chunked. */
  long CHUNKED = 0;

  /** The request method, as the client sent it. */
  String method();

  /** The request target's path, decoded. */
  String path();

  /** The request target's path, undecoded. */
  String rawPath();

  /** The request target's query, undecoded, without {@code ?}; null when there is none. */
  String rawQuery();

  /** The first value of the request's header {@code name} (case-insensitive); null if absent. */
  String requestHeader(String name);

  /** Every value of the request's header {@code name} (case-insensitive), in order. */
  List<String> requestHeaderValues(String name);

  /**
   * The request's header fields as the client sent them, to forward as they came: names in their
   * case, in their order, a repeated name as often as it came.
   */
  List<Map.Entry<String, String>> requestHeaderFields();

  /** The request's body as it arrives; empty when it has none. */
  InputStream requestBody();

  /** Sets answer header {@code name} to {@code value}, replacing any value set before. */
  void setResponseHeader(String name, String value);

  /** Adds a value of answer header {@code name}. */
  void addResponseHeader(String name, String value);

  /**
   * Sends the answer: {@code status}, the headers set so far, and a body of {@code length} bytes
   * ({@link #NO_BODY}, {@link #CHUNKED}, or a positive length) that {@code body} writes. {@code
   * body} is not called when the answer has none (a {@code HEAD} request, a 204 or a 304, or {@link
   * #NO_BODY}); to say a length without a body (HEAD, 304), set {@code Content-Length} yourself and
   * pass {@link #NO_BODY}. Call at most once.
   */
  void respond(int status, long length, BodyWriter body) throws IOException;

  /** Writes an answer's body. */
  @FunctionalInterface
  interface BodyWriter {
    void writeTo(OutputStream out) throws IOException;
  }
}
