package io.tinyllm.ollama.sim;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Ollama model name rules: {@code [namespace/]model[:tag]}, the tag defaulting to {@code latest},
 * compared case-insensitively.
 */
final class ModelName {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,254}");
  private static final String REGISTRY = "registry.ollama.ai/";

  private ModelName() {}

  /** Whether {@code raw} can name a model at all. */
  static boolean isValid(String raw) {
    return raw != null && VALID.matcher(raw.trim()).matches() && !raw.trim().endsWith(":");
  }

  /** The canonical key: lower case, with {@code :latest} added when no tag is given. */
  static String normalize(String raw) {
    String name = raw.trim().toLowerCase(Locale.ROOT);
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    return colon > slash ? name : name + ":latest";
  }

  /**
   * The fully qualified name Ollama prints in capability errors, e.g. {@code
   * registry.ollama.ai/library/qwen2.5:0.5b}.
   */
  static String fullName(String normalized) {
    long slashes = normalized.chars().filter(c -> c == '/').count();
    if (slashes == 0) {
      return REGISTRY + "library/" + normalized;
    }
    return slashes == 1 ? REGISTRY + normalized : normalized;
  }
}
