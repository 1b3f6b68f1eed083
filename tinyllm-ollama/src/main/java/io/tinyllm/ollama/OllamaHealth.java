package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

/**
 * Whether the server answered {@code GET /}, and what it said or why it could not be reached.
 *
 * @param detail the server's answer ({@code Ollama is running}) or the failure message
 */
public record OllamaHealth(boolean healthy, String detail) {
  public OllamaHealth {
    requireNonNull(detail, "detail is null");
  }
}
