package io.tinyllm.ollama;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server answering every request with one recorded Ollama answer, byte for byte,
 * and keeping the request bodies it received.
 */
final class ReplayServer implements AutoCloseable {
  private final HttpServer server;
  private final List<String> requestBodies = new CopyOnWriteArrayList<>();

  private ReplayServer(byte[] body, String contentType) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            requestBodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
          exchange.getResponseHeaders().set("Content-Type", contentType);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  /** Answers every request with {@code json}. */
  static ReplayServer answering(String json) {
    try {
      return new ReplayServer(json.getBytes(StandardCharsets.UTF_8), "application/json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Serves the test resource {@code wire/tools-logprobs/<name>} with {@code contentType}. */
  static ReplayServer serving(String name, String contentType) {
    String path = "/wire/tools-logprobs/" + name;
    try (InputStream in = ReplayServer.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + path);
      }
      return new ReplayServer(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI baseUri() {
    return URI.create(
        "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
  }

  List<String> requestBodies() {
    return requestBodies;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
