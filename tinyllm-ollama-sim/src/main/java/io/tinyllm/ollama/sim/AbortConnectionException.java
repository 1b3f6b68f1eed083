package io.tinyllm.ollama.sim;

/**
 * Makes the JDK HTTP server drop the connection without finishing the response: the handler lets it
 * propagate, the server closes the socket, and the client sees a truncated response (or none). Used
 * to simulate crashes, dropped connections and released hung requests.
 */
final class AbortConnectionException extends RuntimeException {
  AbortConnectionException(String reason) {
    super(reason, null, false, false);
  }
}
