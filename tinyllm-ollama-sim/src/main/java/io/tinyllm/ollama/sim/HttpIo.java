package io.tinyllm.ollama.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reading requests and writing whole (non-streamed) responses the way Ollama's server does. */
final class HttpIo {
  /** Content type of Ollama's JSON answers (Gin's {@code c.JSON}). */
  static final String JSON = "application/json; charset=utf-8";

  /** Content type of Ollama's streamed answers. */
  static final String NDJSON = "application/x-ndjson";

  /** Content type of Ollama's plain text answers (Gin's {@code c.String}). */
  static final String TEXT = "text/plain; charset=utf-8";

  /**
   * Content type of Gin's own 404 and 405 answers ({@code serveError} in gin v1.10.0, which Ollama
   * v0.13.5 uses): no charset.
   */
  static final String GIN_PLAIN = "text/plain";

  /**
   * Content type of an error before a stream's first line, and of a progress answer (pull, push,
   * create) with {@code "stream": false}: Ollama's {@code streamResponse} and {@code waitForStream}
   * set it before {@code c.JSON}, and Gin keeps a content type already set, so there is no charset.
   */
  static final String STREAM_ERROR_JSON = "application/json";

  private HttpIo() {}

  /**
   * The request body, at most {@code max} bytes.
   *
   * @throws ApiException 413 when larger
   */
  static byte[] readBody(HttpExchange exchange, int max) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int total = 0;
      int read;
      while ((read = in.read(buffer)) != -1) {
        total += read;
        if (total > max) {
          throw new ApiException(413, "http: request body too large");
        }
        out.write(buffer, 0, read);
      }
      return out.toByteArray();
    }
  }

  /** Serializes {@code node} compactly, as Go's encoder does. */
  static byte[] bytes(ObjectMapper mapper, JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a whole JSON answer. */
  static void sendJson(HttpExchange exchange, ObjectMapper mapper, int status, JsonNode body)
      throws IOException {
    send(exchange, status, JSON, bytes(mapper, body));
  }

  /** Sends Ollama's error shape {@code {"error": message}}. */
  static void sendError(HttpExchange exchange, ObjectMapper mapper, int status, String message)
      throws IOException {
    sendJson(exchange, mapper, status, error(mapper, message));
  }

  /** The node {@code {"error": message}}. */
  static ObjectNode error(ObjectMapper mapper, String message) {
    return mapper.createObjectNode().put("error", message);
  }

  /** Sends a plain text answer (no body for HEAD). */
  static void sendText(HttpExchange exchange, int status, String text) throws IOException {
    send(exchange, status, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends Ollama's error shape {@code {"error": message}} as {@code contentType}. */
  static void sendError(
      HttpExchange exchange, ObjectMapper mapper, int status, String message, String contentType)
      throws IOException {
    send(exchange, status, contentType, bytes(mapper, error(mapper, message)));
  }

  /** Sends a status with an empty body, as Gin does when a handler writes nothing. */
  static void sendEmpty(HttpExchange exchange, int status) throws IOException {
    exchange.sendResponseHeaders(status, -1);
  }

  /** Sends {@code body} with a fixed length (headers only for HEAD). */
  static void send(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
