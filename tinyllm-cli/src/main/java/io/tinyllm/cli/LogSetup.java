package io.tinyllm.cli;

/**
 * Reads {@code --log-level} (and {@code --debug}) from the raw arguments before picocli runs, so
 * Logback, which configures itself on first use, starts at the asked level.
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
        System.setProperty(LEVEL_PROPERTY, arg.substring("--log-level=".length()).toUpperCase());
      } else if (arg.equals("--log-level") && i + 1 < args.length) {
        System.setProperty(LEVEL_PROPERTY, args[i + 1].toUpperCase());
      }
    }
  }
}
