package io.tinyllm.ollama.sim;

/**
 * An error the simulator answers the way Ollama does: an HTTP status and a JSON body {@code
 * {"error": message}}. Handlers throw it before any response byte is written.
 */
final class ApiException extends RuntimeException {
  private final int status;

  ApiException(int status, String message) {
    // no stack trace: this is control flow, thrown for every rejected request
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status to answer with. */
  int status() {
    return status;
  }
}
