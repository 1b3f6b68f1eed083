package io.tinyllm.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for Ollama where a test needs answers byte for byte known in advance (the simulator's
 * carry timestamps and durations) or endpoints the simulator lacks ({@code /v1/...}). Each handler
 * is the test's own; every exchange is handed over in {@link #seen} after it ran, and counted in
 * {@link #arrivals()} before it runs.
 */
final class CannedUpstream implements AutoCloseable {
  final BlockingQueue<HttpExchange> seen = new LinkedBlockingQueue<>();
  private final AtomicInteger arrivals = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  CannedUpstream(HttpHandler handler) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          arrivals.incrementAndGet();
          try {
            handler.handle(exchange);
          } finally {
            seen.add(exchange);
          }
        });
    server.setExecutor(executor);
    server.start();
  }

  /**
   * How many requests reached this upstream. Counted before the answer is written, so a client that
   * has its answer sees its request counted; {@link #seen} may not hold it yet.
   */
  int arrivals() {
    return arrivals.get();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
