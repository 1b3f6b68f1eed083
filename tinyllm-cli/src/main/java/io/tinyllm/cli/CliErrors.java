package io.tinyllm.cli;

import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.error.TinyLlmException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Rewrites errors from the libraries into the one-line messages the CLI promises. */
final class CliErrors {
  private static final Pattern MODEL_NOT_FOUND = Pattern.compile("Model '([^']*)' was not found");

  private CliErrors() {}

  /** {@code model 'x' not found; pull it with: tinyllm models pull x}. */
  static String modelNotFound(String model) {
    return "model '" + model + "' not found; pull it with: tinyllm models pull " + model;
  }

  /**
   * The user-facing message of {@code message} (a graph run's error, say): a missing model becomes
   * the pull hint; anything else is kept.
   */
  static String describe(String message) {
    if (message == null) {
      return "unknown error";
    }
    Matcher m = MODEL_NOT_FOUND.matcher(message);
    return m.find() ? modelNotFound(m.group(1)) : forCli(message);
  }

  /** The client names its setting; on the command line the option is what a user can change. */
  private static String forCli(String message) {
    return message.replace("(or the setting 'ollama.host')", "(or --ollama URL)");
  }

  /**
   * As {@link #translate}, but a missing {@code model} is {@code message} (a format with one {@code
   * %s}, the name): after {@code rm} or {@code stop}, "pull it" is no advice.
   */
  static RuntimeException missing(RuntimeException e, String model, String message) {
    if (e instanceof ModelNotFoundException && model != null) {
      return new TinyLlmException(String.format(Locale.ROOT, message, model), e);
    }
    return translate(e, model);
  }

  /** The exception to show for {@code e}, raised while working with {@code model}. */
  static RuntimeException translate(RuntimeException e, String model) {
    if (e instanceof ModelNotFoundException) {
      Matcher m = MODEL_NOT_FOUND.matcher(String.valueOf(e.getMessage()));
      String name = m.find() ? m.group(1) : model;
      if (name != null && !String.valueOf(e.getMessage()).contains("cannot be pulled")) {
        return new TinyLlmException(modelNotFound(name), e);
      }
    }
    if (e instanceof TinyLlmException && e.getMessage() != null) {
      String message = forCli(e.getMessage());
      if (!message.equals(e.getMessage())) {
        return new TinyLlmException(message, e);
      }
    }
    return e;
  }
}
