package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The Ollama HTTP endpoints the simulator serves, with the methods Ollama routes for each. */
public enum Endpoint {
  /** {@code GET|HEAD /}: "Ollama is running". */
  ROOT("/", "GET", "HEAD"),
  /** {@code GET|HEAD /api/version}. */
  VERSION("/api/version", "GET", "HEAD"),
  /** {@code GET|HEAD /api/tags}: the installed models. */
  TAGS("/api/tags", "GET", "HEAD"),
  /** {@code GET /api/ps}: the loaded models. */
  PS("/api/ps", "GET"),
  /** {@code POST /api/show}: one model's details. */
  SHOW("/api/show", "POST"),
  /** {@code POST /api/generate}: completion. */
  GENERATE("/api/generate", "POST"),
  /** {@code POST /api/chat}: chat completion. */
  CHAT("/api/chat", "POST"),
  /** {@code POST /api/embed}: embeddings (current API). */
  EMBED("/api/embed", "POST"),
  /** {@code POST /api/embeddings}: embedding (legacy API). */
  EMBEDDINGS("/api/embeddings", "POST"),
  /** {@code POST /api/pull}: download a model. */
  PULL("/api/pull", "POST"),
  /** {@code DELETE /api/delete}: remove a model. */
  DELETE("/api/delete", "DELETE"),
  /** {@code POST /api/copy}: install a model under another name. */
  COPY("/api/copy", "POST");

  private static final Set<Endpoint> INFERENCE =
      Collections.unmodifiableSet(EnumSet.of(GENERATE, CHAT, EMBED, EMBEDDINGS));

  private final String path;
  private final List<String> methods;

  Endpoint(String path, String... methods) {
    this.path = requireNonNull(path, "path is null");
    this.methods = List.of(methods);
  }

  /** The request path, e.g. {@code /api/chat}. */
  public String path() {
    return path;
  }

  /** The HTTP methods Ollama accepts on this path; others get 405. */
  public List<String> methods() {
    return methods;
  }

  /** Whether {@code method} is routed on this path. */
  public boolean allows(String method) {
    return methods.contains(method);
  }

  /** The endpoints that run a model (and so count against the concurrency limit). */
  public static Set<Endpoint> inference() {
    return INFERENCE;
  }

  /** The endpoint serving {@code path}, if any (exact match, as Ollama's router does). */
  public static Optional<Endpoint> forPath(String path) {
    for (Endpoint endpoint : values()) {
      if (endpoint.path.equals(path)) {
        return Optional.of(endpoint);
      }
    }
    return Optional.empty();
  }
}
