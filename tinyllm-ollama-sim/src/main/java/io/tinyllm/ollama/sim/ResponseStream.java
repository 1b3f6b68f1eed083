package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Writes one answer, streamed as NDJSON or whole, and applies the request's stream faults on the
 * way. Like Ollama (Gin writes headers on the first write), a streamed answer sends its 200 and
 * headers with the first line, so an error before any line is still a proper error status.
 */
final class ResponseStream {
  private final HttpExchange exchange;
  private final ObjectMapper mapper;
  private final FaultPlan faults;
  private final Pacer pacer;
  private OutputStream body;
  private int written;
  private boolean malformedSent;

  ResponseStream(HttpExchange exchange, ObjectMapper mapper, FaultPlan faults, Pacer pacer) {
    this.exchange = requireNonNull(exchange, "exchange is null");
    this.mapper = requireNonNull(mapper, "mapper is null");
    this.faults = requireNonNull(faults, "faults is null");
    this.pacer = requireNonNull(pacer, "pacer is null");
  }

  /**
   * Writes one NDJSON line; {@code last} marks the final line of the answer.
   *
   * @return false when an injected error ended the stream; the caller must stop writing
   * @throws AbortConnectionException when an injected drop or stall ends the connection
   */
  boolean line(JsonNode node, boolean last) throws IOException {
    if (due(faults.dropAfter(), last)) {
      throw new AbortConnectionException("injected connection drop");
    }
    if (due(faults.stallAfter(), last)) {
      ensureHeaders();
      pacer.holdThenDrop(faults.stallHold());
    }
    if (due(faults.errorAfter(), last)) {
      streamError(500, faults.errorMessage());
      return false;
    }
    byte[] bytes = HttpIo.bytes(mapper, node);
    if (!malformedSent && due(faults.malformedAfter(), last)) {
      malformedSent = true;
      writeLine(Arrays.copyOf(bytes, Math.max(1, bytes.length / 2)));
    }
    writeLine(bytes);
    written++;
    return true;
  }

  /**
   * Writes a whole JSON answer. Stream faults apply to it as to a single chunk: a drop or stall
   * ends the connection without an answer, an injected error answers 500, a malformed fault sends
   * truncated JSON.
   */
  void whole(int status, JsonNode node) throws IOException {
    if (faults.dropAfter() >= 0) {
      throw new AbortConnectionException("injected connection drop");
    }
    if (faults.stallAfter() >= 0) {
      pacer.holdThenDrop(faults.stallHold());
    }
    if (faults.errorAfter() >= 0) {
      HttpIo.sendError(exchange, mapper, 500, faults.errorMessage());
      return;
    }
    byte[] bytes = HttpIo.bytes(mapper, node);
    if (faults.malformedAfter() >= 0) {
      bytes = Arrays.copyOf(bytes, Math.max(1, bytes.length / 2));
    }
    HttpIo.send(exchange, status, HttpIo.JSON, bytes);
  }

  /**
   * Reports an error of a non-streamed answer as a status and JSON body, as Ollama's handlers do
   * with {@code c.JSON}.
   */
  void error(int status, String message) throws IOException {
    HttpIo.sendError(exchange, mapper, status, message);
  }

  /**
   * Reports an error of a streamed answer: as a status and JSON body when nothing was written yet,
   * else as an {@code {"error": ...}} line in the stream, exactly as Ollama's {@code
   * streamResponse} does. Its content type is then plain {@code application/json}, without charset:
   * {@code streamResponse} sets it before Gin's JSON writer, which keeps a type already set.
   */
  void streamError(int status, String message) throws IOException {
    if (body == null) {
      HttpIo.sendError(exchange, mapper, status, message, HttpIo.STREAM_ERROR_JSON);
    } else {
      writeLine(HttpIo.bytes(mapper, HttpIo.error(mapper, message)));
    }
  }

  /**
   * Writes the one answer of a progress stream asked for with {@code "stream": false} (pull, push,
   * create): Ollama's {@code waitForStream} sends the last status, or the first error with status
   * 500 (or the error's own), with content type {@code application/json}.
   */
  void progressWhole(int status, JsonNode node) throws IOException {
    if (faults.dropAfter() >= 0) {
      throw new AbortConnectionException("injected connection drop");
    }
    if (faults.stallAfter() >= 0) {
      pacer.holdThenDrop(faults.stallHold());
    }
    if (faults.errorAfter() >= 0) {
      HttpIo.send(
          exchange,
          500,
          HttpIo.STREAM_ERROR_JSON,
          HttpIo.bytes(mapper, HttpIo.error(mapper, faults.errorMessage())));
      return;
    }
    HttpIo.send(exchange, status, HttpIo.STREAM_ERROR_JSON, HttpIo.bytes(mapper, node));
  }

  private boolean due(int afterChunks, boolean last) {
    return afterChunks >= 0 && (written == afterChunks || (last && written < afterChunks));
  }

  private void ensureHeaders() throws IOException {
    if (body == null) {
      exchange.getResponseHeaders().set("Content-Type", HttpIo.NDJSON);
      exchange.sendResponseHeaders(200, 0); // 0: chunked transfer encoding
      body = exchange.getResponseBody();
    }
  }

  private void writeLine(byte[] bytes) throws IOException {
    ensureHeaders();
    body.write(bytes);
    body.write('\n');
    body.flush(); // one chunk per line, as Ollama flushes after every token
  }
}
