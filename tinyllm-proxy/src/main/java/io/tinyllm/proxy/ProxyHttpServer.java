package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.impl.io.DefaultBHttpServerConnection;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.io.HttpServerRequestHandler;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.support.BasicHttpServerExpectationDecorator;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.http.protocol.HttpProcessorBuilder;
import org.apache.hc.core5.http.protocol.ResponseDate;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's HTTP/1.1 server: blocking, one thread per client connection for the connection's
 * whole life, so a kept-alive connection's next request is read and answered on the thread that
 * answered the last (no hand-off between a selector and a worker per request). Apache HttpCore 5
 * classic parses requests and frames answers (chunked or of a known length, {@code Expect:
 * 100-continue}, {@code HEAD}, connection reuse, malformed requests); this class holds the accept
 * loop and the bounds.
 *
 * <ul>
 *   <li>At most {@code maxConnections} connections are served at once. A new one beyond it takes
 *       the place of the connection idle the longest between requests (that one is closed, as a
 *       client expects of a kept-alive connection); when none is idle, it is answered 503 with
 *       Ollama's {@code {"error": ...}} and closed.
 *   <li>A connection waits at most {@code keepAlive} for its next request, said to the client in
 *       {@code Keep-Alive: timeout=N}; a request in progress has no time limit (an answer lasts as
 *       long as Ollama generates).
 *   <li>A request line or header line over {@value #MAX_LINE} bytes, or more than {@value
 *       #MAX_HEADERS} header fields, is answered 431; a request HttpCore cannot parse, 400.
 * </ul>
 *
 * <pre>{@code
 * ProxyHttpServer server = new ProxyHttpServer(listener, 256, Duration.ofSeconds(30), exchange ->
 *     exchange.respond(204, ProxyExchange.NO_BODY, null));
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

  /** How long a refused or rejected client has to take its answer before the socket closes. */
  private static final int LINGER_MILLIS = 1000;

  /** What is read (and dropped) of a refused client's request before the socket closes. */
  private static final int LINGER_BYTES = 64 * 1024;

  /** How long a new connection beyond the limit waits for a place before its 503. */
  private static final long GRACE_MILLIS = 100;

  /** Refused connections waiting for their 503; beyond this they are closed without it. */
  private static final int REFUSALS_WAITING = 64;

  /** The context attribute of the connection an exchange came on. */
  private static final String CONNECTION = "tinyllm.proxy.connection";

  private static final int IDLE = 0;
  private static final int BUSY = 1;
  private static final int CLOSED = 2;

  private final ServerSocket listener;
  private final int maxConnections;
  private final Duration keepAlive;
  private final Handler handler;
  private final Http1Config http1;
  private final HttpService service;
  private final Semaphore places;
  private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger threadsStarted = new AtomicInteger();
  private final ThreadPoolExecutor workers;
  private final ThreadPoolExecutor refusals;
  private final Thread acceptor;
  private final Object placeFreed = new Object();
  private volatile boolean placeWanted;
  private volatile boolean closed;

  /**
   * A server on {@code listener} (bound) for {@code maxConnections} connections at once, each kept
   * idle at most {@code keepAlive}, every exchange answered by {@code handler}.
   */
  ProxyHttpServer(ServerSocket listener, int maxConnections, Duration keepAlive, Handler handler) {
    this.listener = requireNonNull(listener, "listener is null");
    this.keepAlive = requireNonNull(keepAlive, "keepAlive is null");
    this.handler = requireNonNull(handler, "handler is null");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
    }
    this.maxConnections = maxConnections;
    places = new Semaphore(maxConnections);
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
            badRequest(toStatusCode(e), e, response);
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
            daemonThreads("tinyllm-proxy-conn-", threadsStarted));
    refusals =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(REFUSALS_WAITING),
            daemonThreads("tinyllm-proxy-refuse-", new AtomicInteger()));
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

  /** Stops accepting, and ends every connection: idle ones, and exchanges in progress. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      log.debug("Closing the proxy's listening socket: {}", e.toString());
    }
    for (ClientConnection connection : connections) {
      connection.end();
    }
    workers.shutdownNow();
    refusals.shutdownNow();
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
        if (takePlace(0)) {
          open(socket);
        } else {
          refuse(socket);
        }
      } catch (IOException e) {
        log.debug("A new connection failed: {}", e.toString());
        closeQuietly(socket);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closeQuietly(socket);
        return;
      }
    }
  }

  /** Serves {@code socket}, which has a place, on a thread of its own. */
  private void open(Socket socket) throws IOException {
    ClientConnection connection = new ClientConnection(http1);
    try {
      connection.bind(socket);
    } catch (IOException e) {
      places.release();
      throw e;
    }
    connections.add(connection);
    try {
      workers.execute(() -> serve(connection));
    } catch (RejectedExecutionException e) { // closing
      connections.remove(connection);
      connection.end();
      places.release();
    }
  }

  /**
   * A place for a new connection: a free one, else the place of the connection idle the longest,
   * closed for it; false when every connection stayed in an exchange for {@code graceMillis}.
   */
  private boolean takePlace(long graceMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    while (true) {
      if (places.tryAcquire()) {
        return true;
      }
      ClientConnection oldest = longestIdle();
      if (oldest != null && oldest.state.compareAndSet(IDLE, CLOSED)) {
        oldest.end();
        // its thread, blocked reading the next request, fails at once and gives its place back
        return places.tryAcquire(5, TimeUnit.SECONDS);
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      synchronized (placeFreed) {
        placeWanted = true;
        // checked again under the lock, so a connection that turns idle now is not missed
        if (places.availablePermits() == 0 && longestIdle() == null) {
          placeFreed.wait(left);
        }
      }
    }
  }

  private ClientConnection longestIdle() {
    ClientConnection oldest = null;
    for (ClientConnection connection : connections) {
      if (connection.state.get() == IDLE
          && (oldest == null || connection.idleSince - oldest.idleSince < 0)) {
        oldest = connection;
      }
    }
    return oldest;
  }

  /** Wakes a refusal waiting for a place: a connection turned idle, or ended. */
  private void placeFreed() {
    if (placeWanted) {
      synchronized (placeFreed) {
        placeWanted = false;
        placeFreed.notifyAll();
      }
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
      connection.state.set(CLOSED);
      try {
        connection.close(); // what is buffered goes out first
      } catch (IOException e) {
        connection.end();
      }
      connections.remove(connection);
      places.release();
      placeFreed();
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
          json(400, "the request target " + quoted(request.getPath()) + " is not a valid path"));
      return;
    }
    handler.handle(exchange);
    if (!exchange.responded()) {
      throw new IOException("no answer to " + request.getMethod() + " " + exchange.rawPath());
    }
  }

  /**
   * What a request HttpCore could not take is answered (the connection then closes): 431 for a head
   * over the limits, 400 for one that is not HTTP/1.1, as Ollama's {@code {"error": ...}}.
   */
  private static void badRequest(int status, HttpException e, ClassicHttpResponse response) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String error;
    if (status == 431) {
      error =
          "request head too large: "
              + (message.contains("count")
                  ? "more than " + MAX_HEADERS + " header fields"
                  : "a request line or header line over " + MAX_LINE + " bytes");
    } else {
      error = "cannot read the request: " + quoted(message);
    }
    ClassicHttpResponse json = json(status, error);
    response.setCode(status);
    response.setHeaders(json.getHeaders());
    response.setEntity(json.getEntity());
  }

  /**
   * No place at once: on the refusal thread (the accept loop goes on), a place if a connection
   * turns idle or ends within {@value #GRACE_MILLIS} ms (one that just sent its answer is about to
   * wait for its next request), else 503 and close.
   */
  private void refuse(Socket socket) {
    try {
      refusals.execute(
          () -> {
            try {
              if (takePlace(GRACE_MILLIS)) {
                open(socket);
                return;
              }
              DefaultBHttpServerConnection connection =
                  new DefaultBHttpServerConnection("http", Http1Config.DEFAULT);
              connection.bind(socket);
              ClassicHttpResponse response =
                  json(
                      503,
                      "the proxy serves "
                          + maxConnections
                          + " connections at once and all are in an exchange; try again, or raise"
                          + " its limit (setting '"
                          + ProxyConfig.MAX_CONCURRENT
                          + "', --max-concurrent)");
              connection.sendResponseHeader(response);
              connection.sendResponseEntity(response);
              connection.flush();
              lingeringClose(socket);
            } catch (IOException | HttpException e) {
              closeQuietly(socket);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              closeQuietly(socket);
            }
          });
    } catch (RejectedExecutionException e) {
      closeQuietly(socket); // too many refusals waiting: closed without a word
    }
  }

  private static ClassicHttpResponse json(int status, String error) {
    byte[] body =
        ("{\"error\":\"" + Forwarder.jsonEscape(error) + "\"}").getBytes(StandardCharsets.UTF_8);
    BasicClassicHttpResponse response = new BasicClassicHttpResponse(status);
    response.setHeader("Content-Type", "application/json; charset=utf-8");
    response.setHeader("Content-Length", Integer.toString(body.length));
    response.setHeader("Connection", "close");
    response.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
    return response;
  }

  /** At most 200 characters of {@code text}, quoted: untrusted text in an error stays short. */
  private static String quoted(String text) {
    return "'" + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + "'";
  }

  /**
   * Closes after the client had the answer: output shut first, then what the client still sends
   * read (bounded) until it closes too, so the close does not reset the connection before the
   * client read the answer.
   */
  private static void lingeringClose(Socket socket) {
    try {
      socket.shutdownOutput();
      socket.setSoTimeout(LINGER_MILLIS);
      InputStream in = socket.getInputStream();
      byte[] dropped = new byte[4096];
      int total = 0;
      int n;
      while (total < LINGER_BYTES && (n = in.read(dropped)) >= 0) {
        total += n;
      }
    } catch (IOException ignored) {
      // timed out, or the client reset: closed either way
    } finally {
      closeQuietly(socket);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private static ThreadFactory daemonThreads(String prefix, AtomicInteger count) {
    return task -> {
      Thread thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * One client connection: idle while it waits for a request (its socket timing out after
   * keepAlive), busy from a request's head to the end of its answer.
   */
  private final class ClientConnection extends DefaultBHttpServerConnection {
    final AtomicInteger state = new AtomicInteger(BUSY);
    volatile long idleSince;
    private Socket socket;

    ClientConnection(Http1Config http1) {
      super("http", http1);
    }

    @Override
    public void bind(Socket socket) throws IOException {
      this.socket = socket;
      super.bind(socket);
    }

    Socket socket() {
      return socket;
    }

    /** Marks the connection idle until its next request's head; false when it was closed. */
    boolean waitForRequest() {
      setSocketTimeout(Timeout.of(keepAlive));
      idleSince = System.nanoTime();
      if (!state.compareAndSet(BUSY, IDLE)) {
        return false;
      }
      placeFreed();
      return true;
    }

    @Override
    protected void onRequestReceived(ClassicHttpRequest request) {
      if (!state.compareAndSet(IDLE, BUSY)) {
        // closed to make room just as this request came: it goes nowhere, not even upstream
        throw new UncheckedIOException(new SocketException("closed to make room"));
      }
      setSocketTimeout(Timeout.DISABLED);
    }

    /** Closes the socket: a thread blocked on it fails at once. */
    void end() {
      close(CloseMode.IMMEDIATE);
    }
  }
}
