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

  private ReplayServer(int status, String contentType, byte[] body) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            requestBodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
          exchange.getResponseHeaders().set("Content-Type", contentType);
          exchange.sendResponseHeaders(status, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  /** Answers every request with {@code json}. */
  static ReplayServer answering(String json) {
    return start(200, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /** Answers every request as Ollama answered the corpus case {@code name}. */
  static ReplayServer replaying(String name) {
    RecordedAnswer answer = RecordedAnswer.load(name);
    return start(answer.status(), answer.contentType(), answer.body());
  }

  private static ReplayServer start(int status, String contentType, byte[] body) {
    try {
      return new ReplayServer(status, contentType, body);
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
