package io.tinyllm.proxy;

/**
 * Model names as Ollama lists them, so a request's {@code qwen2.5} matches {@code qwen2.5:latest}.
 */
final class ModelNames {
  private ModelNames() {}

  /** {@code name} with {@code :latest} when it has no tag; null stays null. */
  static String tagged(String name) {
    if (name == null || name.isBlank()) {
      return null;
    }
    String stripped = name.strip();
    int slash = stripped.lastIndexOf('/');
    return stripped.indexOf(':', slash + 1) < 0 ? stripped + ":latest" : stripped;
  }
}
