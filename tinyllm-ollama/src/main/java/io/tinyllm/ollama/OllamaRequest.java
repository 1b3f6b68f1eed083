package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * A request to Ollama, built once as bytes and sent as each transport needs it: its method, its
 * path (with any query) below a server's base address, and its JSON body (null for none). The
 * headers follow from the body: {@code Content-Type: application/json} with one, and an {@code
 * Accept} of JSON (and NDJSON, for the calls that may stream). The same request goes to any server
 * of a fleet, so it names no server; the body array is never changed once built.
 */
record OllamaRequest(String method, String path, byte[] body) {
  OllamaRequest {
    requireNonNull(method, "method is null");
    requireNonNull(path, "path is null");
  }

  static OllamaRequest get(String path) {
    return new OllamaRequest("GET", path, null);
  }

  static OllamaRequest post(String path, String json) {
    return new OllamaRequest("POST", path, json.getBytes(StandardCharsets.UTF_8));
  }

  static OllamaRequest delete(String path, String json) {
    return new OllamaRequest("DELETE", path, json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Whether sending it twice does what sending it once does, so that it may go again on a fresh
   * connection after a kept one failed with no answer (as Go's and the JDK's clients decide: GET
   * and HEAD; Ollama's POSTs start work).
   */
  boolean replayable() {
    return method.equals("GET") || method.equals("HEAD");
  }

  /** The {@code Accept} header's value. */
  String accept() {
    return body == null ? "application/json" : "application/json, application/x-ndjson";
  }

  /** The {@code Content-Type} header's value, or null without a body. */
  String contentType() {
    return body == null ? null : "application/json";
  }

  /** The body's length in bytes; 0 without one. */
  int length() {
    return body == null ? 0 : body.length;
  }
}
