package io.tinyllm.ollama;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny server on a loopback port answering each path with exactly what a test scripts: the
 * hostile or broken Ollama a test needs. Counts the requests per path, and notices when a client
 * hangs up in the middle of an answer it was still writing.
 *
 * <pre>{@code
 * try (HostileServer server = HostileServer.start(Map.of("/api/embed",
 *     HostileServer.json(501, "{\"error\":\"this model does not support embeddings\"}")))) {
 *   ...
 *   assertThat(server.hits("/api/embed")).isEqualTo(1);
 * }
 * }</pre>
 */
final class HostileServer implements AutoCloseable {
  /** Answers one request. */
  interface Handler {
    void handle(HttpExchange exchange, HostileServer server) throws IOException;
  }

  /** The most an endless answer writes before giving up on the client hanging up. */
  static final long MAX_ENDLESS_BYTES = 2L * 1024 * 1024 * 1024;

  private final HttpServer http;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final CountDownLatch hungUp = new CountDownLatch(1);

  private HostileServer(Map<String, Handler> routes) throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    http.setExecutor(threads);
    http.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          Handler handler = routes.get(path);
          try {
            if (handler == null) {
              text(404, "text/plain; charset=utf-8", "404 page not found\n").handle(exchange, this);
            } else {
              handler.handle(exchange, this);
            }
          } catch (IOException e) {
            hungUp.countDown();
          } finally {
            exchange.close();
          }
        });
    http.start();
  }

  static HostileServer start(Map<String, Handler> routes) {
    try {
      return new HostileServer(routes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URI, e.g. {@code http://127.0.0.1:40123}. */
  URI uri() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  /** Requests received for {@code path}. */
  int hits(String path) {
    AtomicInteger count = hits.get(path);
    return count == null ? 0 : count.get();
  }

  /** Whether a client hung up while an answer was being written, waiting at most {@code wait}. */
  boolean awaitHangUp(Duration wait) throws InterruptedException {
    return hungUp.await(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Answers {@code status} with the JSON {@code body}. */
  static Handler json(int status, String body) {
    return text(status, "application/json; charset=utf-8", body);
  }

  /** Answers {@code status} with {@code body} of {@code contentType}, with a Content-Length. */
  static Handler text(int status, String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return (exchange, server) -> {
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
    };
  }

  /**
   * Answers 200 with {@code first}, then {@code repeated} again and again (chunked, no end) until
   * the client hangs up or {@link #MAX_ENDLESS_BYTES} went out, pausing {@code pause} between
   * writes.
   */
  static Handler endless(String contentType, String first, String repeated, Duration pause) {
    byte[] head = first.getBytes(StandardCharsets.UTF_8);
    byte[] again = repeated.getBytes(StandardCharsets.UTF_8);
    return (exchange, server) -> {
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      out.write(head);
      for (long sent = head.length; sent < MAX_ENDLESS_BYTES; sent += again.length) {
        out.write(again);
        out.flush();
        if (!pause.isZero()) {
          try {
            Thread.sleep(pause.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    };
  }

  @Override
  public void close() {
    http.stop(0);
    threads.shutdownNow();
  }
}
