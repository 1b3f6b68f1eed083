package io.tinyllm.proxy;

import java.util.Set;

/**
 * The {@code path} label of the proxy's own families: Ollama's documented paths as they are, every
 * other path as {@code other}. A fixed list, so no client can make the label grow.
 */
final class ProxyPaths {
  static final String OTHER = "other";

  private static final Set<String> KNOWN =
      Set.of(
          "/",
          "/api/version",
          "/api/tags",
          "/api/ps",
          "/api/show",
          "/api/generate",
          "/api/chat",
          "/api/embed",
          "/api/embeddings",
          "/api/pull",
          "/api/push",
          "/api/create",
          "/api/copy",
          "/api/delete",
          "/api/blobs",
          "/v1/chat/completions",
          "/v1/completions",
          "/v1/embeddings",
          "/v1/models");

  private ProxyPaths() {}

  /** The label of {@code path}: {@code /api/blobs/sha256:…} is {@code /api/blobs}. */
  static String label(String path) {
    if (path == null) {
      return OTHER;
    }
    if (KNOWN.contains(path)) {
      return path;
    }
    if (path.startsWith("/api/blobs/")) {
      return "/api/blobs";
    }
    if (path.startsWith("/v1/models/")) {
      return "/v1/models";
    }
    return OTHER;
  }
}
