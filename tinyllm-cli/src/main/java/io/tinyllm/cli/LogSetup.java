package io.tinyllm.cli;

import java.util.Locale;

/**
 * Reads {@code --log-level} (and {@code --debug}) from the raw arguments before picocli runs, so
 * Logback, which configures itself on first use, starts at the asked level. Upper-cased with {@link
 * Locale#ROOT}: under a Turkish default locale {@code info} would become {@code İNFO}, which
 * Logback does not know.
 */
final class LogSetup {
  static final String LEVEL_PROPERTY = "tinyllm.log.level";

  private LogSetup() {}

  static void apply(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--debug")) {
        System.setProperty(LEVEL_PROPERTY, "DEBUG");
      } else if (arg.startsWith("--log-level=")) {
        System.setProperty(
            LEVEL_PROPERTY, arg.substring("--log-level=".length()).toUpperCase(Locale.ROOT));
      } else if (arg.equals("--log-level") && i + 1 < args.length) {
        System.setProperty(LEVEL_PROPERTY, args[i + 1].toUpperCase(Locale.ROOT));
      }
    }
  }
}
