package io.tinyllm.cli;

import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code --log-level} (and {@code --debug}) from the raw arguments before picocli runs, so
 * Logback, which configures itself on first use, starts at the asked level. Upper-cased with {@link
 * Locale#ROOT}: under a Turkish default locale {@code info} would become {@code İNFO}, which
 * Logback does not know.
 */
final class LogSetup {
  static final String LEVEL_PROPERTY = "tinyllm.log.level";

  /** The levels {@code --log-level} takes; Logback reads any other name as DEBUG. */
  static final List<String> LEVELS = List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");

  private LogSetup() {}

  /** The level named {@code value}, upper-cased, or null when it is none of {@link #LEVELS}. */
  static String level(String value) {
    String level = value.strip().toUpperCase(Locale.ROOT);
    return LEVELS.contains(level) ? level : null;
  }

  static void apply(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--debug")) {
        System.setProperty(LEVEL_PROPERTY, "DEBUG");
      } else if (arg.startsWith("--log-level=")) {
        set(arg.substring("--log-level=".length()));
      } else if (arg.equals("--log-level") && i + 1 < args.length) {
        set(args[i + 1]);
      }
    }
  }

  /**
   * Logs only errors from {@code loggerName} (a package), unless the user chose a level: for a
   * command that reports that component's failure itself (Redis down for {@code cache clear}), the
   * component's WARN would only say the same thing again above the {@code tinyllm:} line. Logback
   * is reached by name, as in {@link LogFormat}; with another backend this does nothing.
   */
  static void quiet(String loggerName) {
    quiet(loggerName, "ERROR");
  }

  /** As {@link #quiet(String)}, logging only at {@code level} ({@code OFF} for nothing). */
  static void quiet(String loggerName, String level) {
    if (System.getProperty(LEVEL_PROPERTY) != null) {
      return;
    }
    Object logger = LoggerFactory.getLogger(loggerName);
    try {
      Class<?> levels = Class.forName("ch.qos.logback.classic.Level");
      if (logger.getClass().getName().equals("ch.qos.logback.classic.Logger")) {
        logger
            .getClass()
            .getMethod("setLevel", levels)
            .invoke(logger, levels.getField(level).get(null));
      }
    } catch (ReflectiveOperationException e) {
      // not Logback: its own level stays
    }
  }

  /** An unknown name is left to picocli's converter to refuse; it must not reach Logback. */
  private static void set(String value) {
    String level = level(value);
    if (level != null) {
      System.setProperty(LEVEL_PROPERTY, level);
    }
  }
}
