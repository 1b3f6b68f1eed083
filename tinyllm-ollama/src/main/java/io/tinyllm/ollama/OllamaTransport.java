package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.LlmTimeoutException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP to the Ollama server, or to the servers of a fleet: builds requests, sends each where {@link
 * HostRouter} says, moves a call that failed before any answer to the next server, enforces
 * timeouts and maps failures.
 *
 * <p>Two ways to a server. A plain-HTTP one ({@code http://}, Ollama's own) is called over the
 * client's own HTTP/1.1 connections ({@link Http1Connection}), on the calling thread for a call
 * that does not stream ({@link Http1Exchange}) and on the stream's own thread for a stream ({@link
 * BlockingBody}), each kind kept alive in a pool of its own. An {@code https://} one is called
 * through the JDK's {@code HttpClient}, built on first use.
 */
final class OllamaTransport {
  private final OllamaConfig config;
  private final HostRouter router;
  private final Duration requestTimeout;
  private final int maxResponseBytes;
  private final boolean blockingStreams;
  private final Set<BlockingBody> openBodies = ConcurrentHashMap.newKeySet();
  private final ConnectionPool pool = new ConnectionPool(openBodies::remove);
  // the calls' connections are interruptible (SocketChannel's), the streams' are not: apart, so a
  // call never gets a stream's connection, on which an interrupt would not end it
  private final ConnectionPool callPool = new ConnectionPool(body -> {});
  private final boolean jdkClientOnly;
  private HttpClient http; // guarded by this; built on first use
  private boolean closed; // guarded by this

  /**
   * A transport whose calls to plain-HTTP servers go over {@link Http1Connection}s on the calling
   * thread (the stream's own, for streams) and only those to {@code https://} servers through the
   * JDK's {@code HttpClient}.
   */
  OllamaTransport(OllamaConfig config, HostRouter router) {
    this(config, router, false);
  }

  /**
   * @param jdkClientOnly every call through the JDK's {@code HttpClient}, plain HTTP too: for tests
   *     that hold the two paths' answers and failures side by side
   */
  OllamaTransport(OllamaConfig config, HostRouter router, boolean jdkClientOnly) {
    this.config = requireNonNull(config, "config is null");
    this.router = requireNonNull(router, "router is null");
    this.requestTimeout = config.requestTimeout();
    this.maxResponseBytes = config.maxResponseBytes();
    this.jdkClientOnly = jdkClientOnly;
    this.blockingStreams = plainHttpOnly(config) && !jdkClientOnly;
  }

  private static boolean plainHttpOnly(OllamaConfig config) {
    return config.hosts().stream().noneMatch(h -> "https".equals(h.getScheme()));
  }

  private static boolean isHttps(HostRouter.Host host) {
    return "https".equals(host.uri().getScheme());
  }

  private synchronized HttpClient http() {
    if (http == null) {
      // Ollama speaks HTTP/1.1; asking for h2c would only add an upgrade round trip
      HttpClient.Builder builder =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(config.connectTimeout())
              .followRedirects(HttpClient.Redirect.NEVER);
      if (plainHttpOnly(config)) {
        // no server is asked over TLS (and redirects are not followed), so the JDK's default TLS
        // context, which reads and parses the whole CA store, would be built for nothing
        builder.sslContext(PlainHttpOnly.CONTEXT);
      }
      http = builder.build();
    }
    return http;
  }

  /**
   * Whether generate and chat streams are read on their own thread from a blocking connection
   * ({@link BlockingBody}) rather than through the {@code HttpClient}: when every server is plain
   * HTTP.
   */
  boolean blockingStreams() {
    return blockingStreams;
  }

  /**
   * A body for one blocking stream attempt, closed by {@link #close()} if still open then.
   *
   * @param openTimeout how long reaching a server and waiting for its headers may take in all
   */
  BlockingBody blockingBody(Duration openTimeout) {
    BlockingBody body = new BlockingBody(pool, openTimeout);
    openBodies.add(body);
    synchronized (this) {
      if (closed) {
        body.cancel();
      }
    }
    return body;
  }

  /** Cancels the blocking streams still open and closes their kept-alive connections. */
  void close() {
    synchronized (this) {
      closed = true;
    }
    for (BlockingBody body : openBodies) {
      body.cancel();
    }
    pool.closeAll();
    callPool.closeAll();
  }

  /** The first configured server (the only one unless {@code ollama.hosts} lists several). */
  URI host() {
    return router.first().uri();
  }

  HostRouter router() {
    return router;
  }

  /** The JDK client underneath (built if it was not yet); for tests. */
  HttpClient httpClient() {
    return http();
  }

  /** The error mapping of the first configured server. */
  OllamaErrors errors() {
    return router.first().errors();
  }

  Duration requestTimeout() {
    return requestTimeout;
  }

  int maxResponseBytes() {
    return maxResponseBytes;
  }

  OllamaRequest post(String path, String json) {
    return OllamaRequest.post(path, json);
  }

  OllamaRequest delete(String path, String json) {
    return OllamaRequest.delete(path, json);
  }

  OllamaRequest get(String path) {
    return OllamaRequest.get(path);
  }

  /** {@code request} as the JDK client sends it to {@code host}. */
  private HttpRequest http(OllamaRequest request, HostRouter.Host host) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri(request, host))
            .timeout(requestTimeout)
            .header("Accept", request.accept());
    if (request.contentType() != null) {
      builder.header("Content-Type", request.contentType());
    }
    return builder
        .method(
            request.method(),
            request.body() == null
                ? BodyPublishers.noBody()
                : BodyPublishers.ofByteArray(request.body()))
        .build();
  }

  /** Where {@code request} goes on {@code host}. */
  private static URI uri(OllamaRequest request, HostRouter.Host host) {
    return URI.create(host.base() + request.path());
  }

  /** {@link #send(OllamaRequest, String, long)} outside any conversation. */
  String send(OllamaRequest request, String model) {
    return send(request, model, 0);
  }

  /**
   * Sends {@code request} and returns the body of a 200 answer within the request timeout (which
   * covers the whole exchange, body included); a body beyond {@code ollama.max-response-bytes}
   * fails with {@code ResponseTooLargeException}. In a fleet, a server that cannot be reached,
   * answers 502, 503 or 504, or answers 404 to a call about a model, passes the call to the next
   * one; the last one's answer is the call's.
   *
   * @param model the model the call is about, for routing and messages; may be {@code null}
   * @param conversation a key of the conversation the call continues, or 0
   */
  String send(OllamaRequest request, String model, long conversation) {
    return send(router.candidates(model, conversation), request, model, conversation);
  }

  /**
   * Sends {@code request} to {@code host} alone; otherwise as {@link #send(OllamaRequest, String)}.
   */
  String sendTo(HostRouter.Host host, OllamaRequest request, String model) {
    return send(List.of(host), request, model, 0);
  }

  private String send(
      List<HostRouter.Host> candidates, OllamaRequest request, String model, long conversation) {
    for (int i = 0; ; i++) {
      HostRouter.Host host = candidates.get(i);
      boolean last = i == candidates.size() - 1;
      Http1Exchange.Answer response;
      host.started();
      try {
        response = exchange(host, request, model);
      } catch (ExecutionException e) {
        if (isUnreachable(e.getCause())) {
          router.unreachable(host);
          if (!last) {
            host.points().failedOver();
            continue;
          }
        }
        throw host.errors().forTransport(e, model);
      } finally {
        host.ended();
      }
      int status = response.status();
      if (status == 200) {
        router.answered(host, model, conversation);
        return response.body();
      }
      router.reachable(host);
      if (!last && movesOn(status, model)) {
        host.points().failedOver();
        continue;
      }
      throw host.errors().forStatus(status, response.body(), model);
    }
  }

  private Http1Exchange.Answer exchange(HostRouter.Host host, OllamaRequest request, String model)
      throws ExecutionException {
    URI uri = uri(request, host);
    String what =
        request.method() + " " + uri + (model == null ? "" : " for model '" + model + "'");
    if (!jdkClientOnly && !isHttps(host)) {
      try {
        return Http1Exchange.exchange(
            callPool,
            request,
            uri,
            config.connectTimeout(),
            requestTimeout,
            maxResponseBytes,
            what);
      } catch (TimeoutException e) {
        throw timedOut(host, request, uri, model, e);
      }
    }
    CompletableFuture<HttpResponse<String>> future =
        http().sendAsync(http(request, host), BoundedBody.handler(maxResponseBytes, what));
    try {
      HttpResponse<String> response = future.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
      return new Http1Exchange.Answer(response.statusCode(), response.body());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw timedOut(host, request, uri, model, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HttpTimeoutException
          && !(e.getCause() instanceof HttpConnectTimeoutException)) {
        // the JDK client's own timer, set to the same request timeout, fired first: one message
        throw timedOut(host, request, uri, model, e.getCause());
      }
      throw e;
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancelledException(Http1Exchange.INTERRUPTED, e);
    }
  }

  private LlmTimeoutException timedOut(
      HostRouter.Host host, OllamaRequest request, URI uri, String model, Throwable e) {
    return new LlmTimeoutException(
        "Ollama at "
            + host.uri()
            + " did not answer "
            + request.method()
            + " "
            + uri.getPath()
            + (model == null ? "" : " for model '" + model + "'")
            + " within "
            + requestTimeout.toMillis()
            + " ms ("
            + OllamaConfig.REQUEST_TIMEOUT
            + ")",
        e);
  }

  /**
   * Starts {@code request}, feeding its status and body lines to {@code channel}; the lease says
   * which server answers and must be closed when the caller is done with the lines.
   */
  Lease stream(OllamaRequest request, LineChannel channel, String model, long conversation) {
    return start(router.candidates(model, conversation), request, channel, model, conversation);
  }

  /**
   * Sends {@code request} on the calling thread to the first server that can be reached, and reads
   * the answer's headers into {@code body}; the lease says which server answers and must be closed
   * when the caller is done with the body. A failure before the server took the request moves the
   * call to the next server, as {@link #stream(OllamaRequest, LineChannel, String, long)} does.
   */
  Lease stream(OllamaRequest request, BlockingBody body, String model, long conversation) {
    List<HostRouter.Host> candidates = router.candidates(model, conversation);
    Lease lease = new Lease(candidates.get(0));
    for (int i = 0; ; i++) {
      HostRouter.Host host = candidates.get(i);
      try {
        body.open(request, uri(request, host), config.connectTimeout());
        if (body.status() == 200) {
          router.answered(host, model, conversation);
        } else if (body.status() > 0) {
          router.reachable(host);
        }
        return lease;
      } catch (ExecutionException e) {
        boolean unreachable = isUnreachable(e.getCause());
        if (unreachable) {
          router.unreachable(host);
        }
        if (unreachable
            && i + 1 < candidates.size()
            && !body.cancelled()
            && lease.moveTo(candidates.get(i + 1))) {
          host.points().failedOver();
          continue;
        }
        body.fail(e.getCause());
        return lease;
      }
    }
  }

  /** Starts {@code request} on {@code host} alone, feeding {@code channel}. */
  Lease streamTo(HostRouter.Host host, OllamaRequest request, LineChannel channel) {
    return start(List.of(host), request, channel, null, 0);
  }

  private Lease start(
      List<HostRouter.Host> candidates,
      OllamaRequest request,
      LineChannel channel,
      String model,
      long conversation) {
    Lease lease = new Lease(candidates.get(0));
    attempt(lease, candidates, 0, request, channel, model, conversation);
    return lease;
  }

  private void attempt(
      Lease lease,
      List<HostRouter.Host> candidates,
      int index,
      OllamaRequest request,
      LineChannel channel,
      String model,
      long conversation) {
    HostRouter.Host host = candidates.get(index);
    http()
        .sendAsync(http(request, host), channel.handler())
        .whenComplete(
            (response, failure) -> {
              if (failure == null) {
                if (response.statusCode() == 200) {
                  router.answered(host, model, conversation);
                } else {
                  router.reachable(host);
                }
                return;
              }
              boolean unreachable = isUnreachable(failure) && channel.status() < 0;
              if (unreachable) {
                router.unreachable(host);
              }
              if (unreachable
                  && index + 1 < candidates.size()
                  && lease.moveTo(candidates.get(index + 1))) {
                host.points().failedOver();
                attempt(lease, candidates, index + 1, request, channel, model, conversation);
              } else {
                channel.fail(failure);
              }
            });
  }

  /**
   * Whether an answer with {@code status} sends a call on to the next server of a fleet: a gateway
   * failure, a full queue, or (for a call about a model) a server that does not have the model.
   */
  private static boolean movesOn(int status, String model) {
    return status == 502 || status == 503 || status == 504 || (status == 404 && model != null);
  }

  /**
   * Whether {@code failure} happened before the server took the request: safe to send elsewhere.
   */
  private static boolean isUnreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof HttpConnectTimeoutException
          || t instanceof UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  /** Which server a stream is on, counted in flight there until closed. */
  static final class Lease implements AutoCloseable {
    private HostRouter.Host host; // guarded by this
    private boolean closed; // guarded by this

    private Lease(HostRouter.Host host) {
      this.host = host;
      host.started();
    }

    /** The server answering (or being asked) now. */
    synchronized URI host() {
      return host.uri();
    }

    /** The error mapping of the server answering now. */
    synchronized OllamaErrors errors() {
      return host.errors();
    }

    /** Moves to {@code next}; false if the lease was closed meanwhile. */
    private synchronized boolean moveTo(HostRouter.Host next) {
      if (closed) {
        return false;
      }
      host.ended();
      host = next;
      next.started();
      return true;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        host.ended();
      }
    }
  }
}
