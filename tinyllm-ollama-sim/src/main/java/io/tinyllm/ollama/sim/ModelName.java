package io.tinyllm.ollama.sim;

import java.util.Locale;

/**
 * Ollama's model names ({@code types/model/name.go}): {@code [host/][namespace/]model[:tag]}, with
 * host {@code registry.ollama.ai}, namespace {@code library} and tag {@code latest} when left out,
 * each part of limited characters and length, and compared case-insensitively. So {@code
 * registry.ollama.ai/library/qwen2.5:0.5b}, {@code library/qwen2.5:0.5b} and {@code Qwen2.5:0.5B}
 * all name {@code qwen2.5:0.5b}.
 */
final class ModelName {
  private static final String DEFAULT_HOST = "registry.ollama.ai";
  private static final String DEFAULT_NAMESPACE = "library";
  private static final String DEFAULT_TAG = "latest";
  // what Go's cutPromised puts in an empty part, so that such a name is invalid
  private static final String MISSING = "!MISSING!";

  private ModelName() {}

  /** The four parts of a name, defaults filled in. */
  record Parts(String host, String namespace, String model, String tag) {
    boolean valid() {
      return validPart(host, 350, true, true)
          && validPart(namespace, 80, false, false)
          && validPart(model, 80, true, false)
          && validPart(tag, 80, true, false);
    }

    /** Ollama's {@code DisplayShortest}: host and namespace only where not the defaults. */
    String shortest() {
      if (!host.equalsIgnoreCase(DEFAULT_HOST)) {
        return host + "/" + namespace + "/" + model + ":" + tag;
      }
      if (!namespace.equalsIgnoreCase(DEFAULT_NAMESPACE)) {
        return namespace + "/" + model + ":" + tag;
      }
      return model + ":" + tag;
    }
  }

  /** Whether {@code raw} names a model at all (Ollama's {@code ParseName(raw).IsValid()}). */
  static boolean isValid(String raw) {
    return raw != null && parse(raw).valid();
  }

  /**
   * The canonical key: the shortest display form in lower case, e.g. {@code qwen2.5:0.5b} for
   * {@code registry.ollama.ai/library/Qwen2.5:0.5b}, {@code me/model:latest} for {@code me/model}.
   */
  static String normalize(String raw) {
    return parse(raw).shortest().toLowerCase(Locale.ROOT);
  }

  /**
   * The fully qualified name Ollama prints in capability errors, e.g. {@code
   * registry.ollama.ai/library/qwen2.5:0.5b}.
   */
  static String fullName(String raw) {
    Parts parts = parse(raw);
    return parts.host() + "/" + parts.namespace() + "/" + parts.model() + ":" + parts.tag();
  }

  /** Go's {@code ParseName}: split from the right, then merge in the defaults. */
  static Parts parse(String raw) {
    String rest = raw;
    String tag = "";
    if (rest.lastIndexOf(':') > rest.lastIndexOf('/')) {
      int colon = rest.lastIndexOf(':');
      tag = orMissing(rest.substring(colon + 1));
      rest = orMissing(rest.substring(0, colon));
    }
    int slash = rest.lastIndexOf('/');
    if (slash < 0) {
      return new Parts(DEFAULT_HOST, DEFAULT_NAMESPACE, rest, or(tag, DEFAULT_TAG));
    }
    String model = orMissing(rest.substring(slash + 1));
    rest = orMissing(rest.substring(0, slash));
    slash = rest.lastIndexOf('/');
    if (slash < 0) {
      return new Parts(DEFAULT_HOST, or(rest, DEFAULT_NAMESPACE), model, or(tag, DEFAULT_TAG));
    }
    String namespace = orMissing(rest.substring(slash + 1));
    String host = orMissing(rest.substring(0, slash));
    int scheme = host.indexOf("://");
    if (scheme >= 0) {
      host = host.substring(scheme + 3);
    }
    return new Parts(
        or(host, DEFAULT_HOST), or(namespace, DEFAULT_NAMESPACE), model, or(tag, DEFAULT_TAG));
  }

  private static boolean validPart(String part, int maxLength, boolean dots, boolean colons) {
    if (part.isEmpty() || part.length() > maxLength) {
      return false;
    }
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      boolean word =
          c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_';
      if (i == 0 ? !word : !(word || c == '-' || (c == '.' && dots) || (c == ':' && colons))) {
        return false;
      }
    }
    return true;
  }

  private static String orMissing(String part) {
    return part.isEmpty() ? MISSING : part;
  }

  private static String or(String part, String fallback) {
    return part.isEmpty() ? fallback : part;
  }
}
