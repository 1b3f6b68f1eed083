package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The forwarding path's HTTP client: Apache HttpClient 5 classic, blocking, over a pool of
 * kept-alive HTTP/1.1 connections to each backend. The exchange's own thread writes the request and
 * reads the answer straight from the socket, so a streamed chunk wakes one thread, as in a bare
 * forwarding loop; {@code java.net.http}'s body as a stream woke its selector, a worker and then
 * the exchange's thread for each chunk (docs/performance.md §8 has the figures).
 *
 * <p>The client changes nothing on the way: no retries but one of a request whose kept-alive
 * connection turned out closed ({@link StaleConnectionRetry}; failover is {@link Forwarder}'s,
 * before the first byte only), no redirects followed, no decompression, no cookies, no user agent
 * added. There is no read timeout on the socket: the wait for an answer is as long as Ollama takes
 * (a model may load first), and the silence inside an answer is {@link IdleWatch}'s to end.
 *
 * <pre>{@code
 * try (Upstream.Call call = upstream.open(backend, "POST", "/api/generate", headers, body)) {
 *   InputStream answer = call.body(); // null when the answer has none
 * }
 * }</pre>
 */
final class Upstream implements AutoCloseable {
  /** Methods whose empty body still says {@code Content-Length: 0}, as java.net.http sent it. */
  private static final Set<String> SAYS_EMPTY = Set.of("POST", "PUT", "PATCH");

  private final CloseableHttpClient client;

  /**
   * A pool of at most {@code perBackend} connections to each backend: one per exchange thread, so
   * an exchange never waits for a connection another holds.
   */
  Upstream(Duration connectTimeout, int perBackend, int backends) {
    requireNonNull(connectTimeout, "connectTimeout is null");
    PoolingHttpClientConnectionManager pool =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnPerRoute(perBackend)
            .setMaxConnTotal(perBackend * Math.max(1, backends))
            .setDefaultSocketConfig(
                SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(Timeout.DISABLED).build())
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.of(connectTimeout))
                    .setSocketTimeout(Timeout.DISABLED)
                    // no check before reuse (it waits 1 ms on the socket): StaleConnectionRetry
                    .setValidateAfterInactivity(TimeValue.NEG_ONE_MILLISECOND)
                    .build())
            .build();
    client =
        HttpClients.custom()
            .setConnectionManager(pool)
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setConnectionRequestTimeout(Timeout.of(connectTimeout))
                    .setResponseTimeout(Timeout.DISABLED)
                    .build())
            .setRetryStrategy(new StaleConnectionRetry())
            .disableRedirectHandling()
            .disableContentCompression()
            .disableCookieManagement()
            .disableAuthCaching()
            .disableConnectionState()
            .disableDefaultUserAgent()
            .build();
  }

  /**
   * Sends {@code method} {@code pathAndQuery} (raw, as the client sent it) with the header fields
   * {@code headers} as the client sent them (less hop-by-hop and framing ones) and {@code body} to
   * {@code backend}, and returns once the answer's head has arrived.
   */
  Call open(
      Backend backend,
      String method,
      String pathAndQuery,
      List<Map.Entry<String, String>> headers,
      Body body)
      throws IOException {
    HttpUriRequestBase request = new HttpUriRequestBase(method, backend.base());
    request.setPath(backend.pathPrefix() + pathAndQuery);
    HopByHop.forwarded(headers, request::addHeader);
    HttpEntity entity = body.entity(SAYS_EMPTY.contains(method));
    if (entity != null) {
      request.setEntity(entity);
    }
    return new Call(request, client.executeOpen(null, request, null));
  }

  @Override
  public void close() {
    client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
  }

  /**
   * One upstream exchange, its answer's head received. Reading its body to the end gives the
   * connection back to the pool; {@link #cancel} (from any thread) closes it instead, which Ollama
   * takes as a cancel of the request.
   */
  static final class Call implements AutoCloseable {
    private final HttpUriRequestBase request;
    private final ClassicHttpResponse response;

    private Call(HttpUriRequestBase request, ClassicHttpResponse response) {
      this.request = request;
      this.response = response;
    }

    int status() {
      return response.getCode();
    }

    Header[] headers() {
      return response.getHeaders();
    }

    /** The first value of header {@code name}, or null. */
    String header(String name) {
      Header header = response.getFirstHeader(name);
      return header == null ? null : header.getValue();
    }

    /** The answer's length, or -1 when it is not said (chunked, or up to the connection's end). */
    long length() {
      HttpEntity entity = response.getEntity();
      return entity == null ? 0 : entity.getContentLength();
    }

    /** The answer's body as it arrives, or null when it has none (HEAD, 204, 304). */
    InputStream body() throws IOException {
      HttpEntity entity = response.getEntity();
      return entity == null ? null : entity.getContent();
    }

    /** Drops the connection: ends a blocked read of the answer, and tells Ollama to stop. */
    void cancel() {
      request.cancel();
    }

    /** Gives the connection back if the answer was read to its end, else drops it. */
    @Override
    public void close() {
      cancel(); // no-op once the end of the answer released the connection
    }
  }
}
