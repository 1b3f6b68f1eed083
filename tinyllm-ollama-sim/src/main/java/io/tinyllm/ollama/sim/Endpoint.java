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
  /** {@code POST /v1/chat/completions}: OpenAI-compatible chat, served by the chat handler. */
  OPENAI_CHAT("/v1/chat/completions", "POST"),
  /** {@code POST /v1/completions}: OpenAI-compatible completion, served by generate. */
  OPENAI_COMPLETIONS("/v1/completions", "POST"),
  /** {@code POST /v1/embeddings}: OpenAI-compatible embeddings, served by embed. */
  OPENAI_EMBEDDINGS("/v1/embeddings", "POST"),
  /** {@code GET /v1/models}: the installed models, OpenAI-style. */
  OPENAI_MODELS("/v1/models", "GET"),
  /** {@code GET /v1/models/:model}: one model, OpenAI-style. */
  OPENAI_MODEL("/v1/models/:model", "GET"),
  /** {@code POST /api/copy}: copy a model under another name. */
  COPY("/api/copy", "POST"),
  /** {@code POST /api/create}: create a model from another one. */
  CREATE("/api/create", "POST"),
  /** {@code POST /api/push}: upload a model to a registry (the simulator has none). */
  PUSH("/api/push", "POST"),
  /** {@code HEAD|POST /api/blobs/:digest}: check for or upload a blob. */
  BLOBS("/api/blobs/:digest", "HEAD", "POST");

  private static final Set<Endpoint> INFERENCE =
      Collections.unmodifiableSet(
          EnumSet.of(
              GENERATE,
              CHAT,
              EMBED,
              EMBEDDINGS,
              OPENAI_CHAT,
              OPENAI_COMPLETIONS,
              OPENAI_EMBEDDINGS));

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

  /** Whether this is one of Ollama's OpenAI-compatible endpoints ({@code /v1/...}). */
  boolean openAi() {
    return path.startsWith("/v1/");
  }

  /** The HTTP methods Ollama accepts on this path; others get 405. */
  public List<String> methods() {
    return methods;
  }

  /** Whether {@code method} is routed on this path. */
  public boolean allows(String method) {
    return methods.contains(method);
  }

  /**
   * The endpoints that run a model (and so count against the concurrency limit), the OpenAI ones
   * included.
   */
  public static Set<Endpoint> inference() {
    return INFERENCE;
  }

  /**
   * The endpoint serving {@code path}, if any: an exact match, as Ollama's router does, where a
   * {@code :name} segment (Gin's path parameter) matches any one non-empty segment.
   */
  public static Optional<Endpoint> forPath(String path) {
    for (Endpoint endpoint : values()) {
      if (endpoint.path.equals(path) || matchesParameters(endpoint.path, path)) {
        return Optional.of(endpoint);
      }
    }
    return Optional.empty();
  }

  /** The {@code :name} segment of {@code path} (which this endpoint serves), e.g. the model. */
  String parameter(String path) {
    String[] pattern = this.path.split("/", -1);
    String[] actual = path.split("/", -1);
    for (int i = 0; i < pattern.length && i < actual.length; i++) {
      if (pattern[i].startsWith(":")) {
        return actual[i];
      }
    }
    return "";
  }

  private static boolean matchesParameters(String pattern, String path) {
    if (!pattern.contains("/:")) {
      return false;
    }
    String[] expected = pattern.split("/", -1);
    String[] actual = path.split("/", -1);
    if (expected.length != actual.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      boolean parameter = expected[i].startsWith(":") && !actual[i].isEmpty();
      if (!parameter && !expected[i].equals(actual[i])) {
        return false;
      }
    }
    return true;
  }
}
