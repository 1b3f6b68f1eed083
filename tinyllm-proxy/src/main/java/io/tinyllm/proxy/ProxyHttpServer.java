package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.concurrent.AwaitableCount;
import io.tinyllm.api.concurrent.DaemonThreads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.io.HttpServerRequestHandler;
import org.apache.hc.core5.http.io.support.BasicHttpServerExpectationDecorator;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.http.protocol.HttpProcessorBuilder;
import org.apache.hc.core5.http.protocol.ResponseDate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's HTTP/1.1 server: blocking, one thread per client connection for the connection's
 * whole life, so a kept-alive connection's next request is read and answered on the thread that
 * answered the last (no hand-off between a selector and a worker per request). Apache HttpCore 5
 * classic parses requests and frames answers (chunked or of a known length, {@code Expect:
 * 100-continue}, {@code HEAD}, connection reuse, malformed requests); this class holds the accept
 * loop and the bounds. (HttpCore's own classic {@code HttpServer}, from {@code ServerBootstrap},
 * starts a worker per connection from an unbounded pool and closes nothing to make room, so its
 * accept loop would not do.)
 *
 * <ul>
 *   <li>At most {@code maxConnections} connections are served at once. A new one beyond it takes
 *       the place of the connection idle the longest between requests (that one is closed, as a
 *       client expects of a kept-alive connection); when none is idle, it waits up to 100 ms for
 *       one ({@link Refusals}, on a thread of its own, at most 64 at once), else is answered 503
 *       with Ollama's {@code {"error": ...}} and closed. One beyond the 64 waiting is closed
 *       without an answer, counted in {@code tinyllm_proxy_connections_refused_total}.
 *   <li>A connection waits at most {@code keepAlive} for its next request, said to the client in
 *       {@code Keep-Alive: timeout=N}; a request in progress has no time limit (an answer lasts as
 *       long as Ollama generates).
 *   <li>A request line or header line over {@value #MAX_LINE} bytes, or more than {@value
 *       #MAX_HEADERS} header fields, is answered 431; a request HttpCore cannot parse, 400.
 * </ul>
 *
 * <pre>{@code
 * ProxyHttpServer server = new ProxyHttpServer(listener, 256, Duration.ofSeconds(30), exchange ->
 *     exchange.respond(204, ProxyExchange.NO_BODY, null), metrics);
 * server.start();
 * }</pre>
 */
final class ProxyHttpServer implements AutoCloseable {
  /** Answers one exchange, on its connection's thread. */
  @FunctionalInterface
  interface Handler {
    void handle(ProxyExchange exchange) throws IOException;
  }

  /** The longest request line or header line: twice nginx's default of 8 KiB. */
  static final int MAX_LINE = 16 * 1024;

  /** The most header fields in a request. */
  static final int MAX_HEADERS = 100;

  private static final Logger log = LoggerFactory.getLogger(ProxyHttpServer.class);

  private static final int BUFFER = 16 * 1024;

  /** The context attribute of the connection an exchange came on. */
  private static final String CONNECTION = "tinyllm.proxy.connection";

  private final ServerSocket listener;
  private final Duration keepAlive;
  private final Handler handler;
  private final Http1Config http1;
  private final HttpService service;
  private final ConnectionPlaces places;
  private final AtomicInteger threadsStarted = new AtomicInteger();
  private final AwaitableCount serving = new AwaitableCount();
  private final ThreadPoolExecutor workers;
  private final Refusals refusals;
  private final Thread acceptor;
  private volatile boolean closed;

  /**
   * A server on {@code listener} (bound) for {@code maxConnections} connections at once, each kept
   * idle at most {@code keepAlive}, every exchange answered by {@code handler}, refused connections
   * counted in {@code metrics}.
   */
  ProxyHttpServer(
      ServerSocket listener,
      int maxConnections,
      Duration keepAlive,
      Handler handler,
      ProxyMetrics metrics) {
    this(
        listener,
        maxConnections,
        keepAlive,
        handler,
        metrics,
        Refusals.GRACE,
        Refusals.MAX_WAITING);
  }

  /**
   * As above, a new connection beyond the limit waiting at most {@code grace} for a place, at most
   * {@code maxRefusalsWaiting} of them at once.
   */
  ProxyHttpServer(
      ServerSocket listener,
      int maxConnections,
      Duration keepAlive,
      Handler handler,
      ProxyMetrics metrics,
      Duration grace,
      int maxRefusalsWaiting) {
    this.listener = requireNonNull(listener, "listener is null");
    this.keepAlive = requireNonNull(keepAlive, "keepAlive is null");
    this.handler = requireNonNull(handler, "handler is null");
    places = new ConnectionPlaces(maxConnections);
    http1 =
        Http1Config.custom()
            .setBufferSize(BUFFER)
            .setChunkSizeHint(BUFFER)
            .setMaxLineLength(MAX_LINE)
            .setMaxHeaderCount(MAX_HEADERS)
            .build();
    service =
        new HttpService(
            HttpProcessorBuilder.create()
                .add(ResponseDate.INSTANCE)
                .add(new KeepAliveHeaders(keepAlive))
                .build(),
            new BasicHttpServerExpectationDecorator(this::handle),
            http1,
            DefaultConnectionReuseStrategy.INSTANCE,
            null) {
          @Override
          protected void handleException(HttpException e, ClassicHttpResponse response) {
            ServerAnswers.badRequest(toStatusCode(e), e, response);
          }
        };
    // bounded by the places, not by the pool: a thread ends 30 s after its last connection
    workers =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            DaemonThreads.named("tinyllm-proxy-conn-", threadsStarted));
    refusals = new Refusals(places, this::open, metrics, grace, maxRefusalsWaiting);
    acceptor = new Thread(this::acceptLoop, "tinyllm-proxy-accept");
    acceptor.setDaemon(true);
  }

  /** Starts accepting connections. */
  void start() {
    acceptor.start();
  }

  /** The port listened on. */
  int port() {
    return listener.getLocalPort();
  }

  /** Connection threads started so far (a thread serves one connection at a time). */
  int threadsStarted() {
    return threadsStarted.get();
  }

  /** Connections being served now, each on a thread of its own (or handed to one). */
  int connectionsServed() {
    return serving.get();
  }

  /**
   * Waits until no connection is served, at most {@code timeout}; true when none was. A connection
   * gives its place back before it stops counting, so none is taken by a served one then.
   */
  boolean awaitConnectionsEnded(Duration timeout) throws InterruptedException {
    return serving.awaitZero(timeout);
  }

  /** Places taken now: connections served, and new ones being handed a place. */
  int placesTaken() {
    return places.taken();
  }

  /** New connections beyond the limit waiting for a place now, each on a thread of its own. */
  int refusalsWaiting() {
    return refusals.waiting();
  }

  /**
   * Waits until exactly {@code count} new connections beyond the limit wait for a place, at most
   * {@code timeout}; true when they did.
   */
  boolean awaitRefusalsWaiting(int count, Duration timeout) throws InterruptedException {
    return refusals.awaitWaiting(count, timeout);
  }

  /**
   * Waits until every new connection beyond the limit was given a place or closed (a 503's a second
   * after its answer), at most {@code timeout}; true when none was left.
   */
  boolean awaitRefusalsEnded(Duration timeout) throws InterruptedException {
    return refusals.awaitEnded(timeout);
  }

  /** Waits until {@code count} connections wait for their next request, at most {@code timeout}. */
  boolean awaitIdleConnections(int count, Duration timeout) throws InterruptedException {
    return places.awaitIdle(count, timeout);
  }

  /** Stops accepting, and ends every connection: idle ones, and exchanges in progress. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      log.debug("Closing the proxy's listening socket: {}", e.toString());
    }
    places.endAll();
    workers.shutdownNow();
    refusals.close();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (!closed) {
          // e.g. out of file descriptors: logged, and a pause so the loop does not spin
          log.warn("The proxy cannot accept a connection: {}", e.toString());
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        continue;
      }
      try {
        socket.setTcpNoDelay(true);
        if (places.take(0)) {
          open(socket);
        } else {
          refusals.refuse(socket);
        }
      } catch (IOException e) {
        log.debug("A new connection failed: {}", e.toString());
        ServerAnswers.closeQuietly(socket);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ServerAnswers.closeQuietly(socket);
        return;
      }
    }
  }

  /** Serves {@code socket}, which has a place, on a thread of its own. */
  private void open(Socket socket) throws IOException {
    ClientConnection connection = new ClientConnection(http1, keepAlive, places::turnedIdle);
    try {
      connection.bind(socket);
    } catch (IOException e) {
      places.release(null);
      throw e;
    }
    places.add(connection);
    serving.increment(); // counted from here, so a wait for none served cannot slip in before
    try {
      workers.execute(() -> serve(connection));
    } catch (RejectedExecutionException e) { // closing
      connection.end();
      places.release(connection);
      serving.decrement();
    }
  }

  private void serve(ClientConnection connection) {
    try {
      HttpCoreContext context = HttpCoreContext.create();
      context.setAttribute(CONNECTION, connection);
      while (!closed && connection.isOpen()) {
        try {
          if (!connection.waitForRequest()) {
            break; // closed to make room for a new connection
          }
          service.handleRequest(connection, context);
        } catch (SocketTimeoutException e) {
          break; // idle for keepAlive: only the wait for a request has a timeout
        } catch (IOException | HttpException | UncheckedIOException e) {
          log.debug("Connection {} ended: {}", connection, e.toString());
          break;
        } catch (RuntimeException e) {
          log.warn("Connection {} ended by a failure in the proxy", connection, e);
          break;
        }
      }
    } finally {
      connection.closed();
      try {
        connection.close(); // what is buffered goes out first
      } catch (IOException e) {
        connection.end();
      }
      places.release(connection);
      serving.decrement();
    }
  }

  private void handle(
      ClassicHttpRequest request,
      HttpServerRequestHandler.ResponseTrigger trigger,
      HttpContext context)
      throws IOException, HttpException {
    ClientConnection connection = (ClientConnection) context.getAttribute(CONNECTION);
    CoreExchange exchange;
    try {
      exchange = new CoreExchange(request, trigger, connection::end);
    } catch (IllegalArgumentException e) {
      trigger.submitResponse(
          ServerAnswers.error(
              400,
              "the request target "
                  + ServerAnswers.quoted(request.getPath())
                  + " is not a valid path"));
      return;
    }
    handler.handle(exchange);
    if (!exchange.responded()) {
      throw new IOException("no answer to " + request.getMethod() + " " + exchange.rawPath());
    }
  }
}
