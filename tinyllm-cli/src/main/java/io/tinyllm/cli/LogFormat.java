package io.tinyllm.cli;

import java.net.URL;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format text|json}. Text is Logback's configuration from {@code logback.xml}; json
 * reloads Logback from {@code logback-json.xml} (its JSON encoder, one object per line on stderr).
 * Logback is a runtime dependency only, so it is reached by name; with another SLF4J backend the
 * option does nothing.
 */
final class LogFormat {
  private static final String JSON_CONFIG = "logback-json.xml";

  private LogFormat() {}

  static void apply(String format) {
    if (format == null || format.equals("text")) {
      return;
    }
    if (!format.equals("json")) {
      throw new UsageException(
          "Invalid value '" + format + "' for --log-format: expected text or json");
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    URL config = LogFormat.class.getClassLoader().getResource(JSON_CONFIG);
    if (config == null
        || !factory.getClass().getName().equals("ch.qos.logback.classic.LoggerContext")) {
      return;
    }
    try {
      factory.getClass().getMethod("reset").invoke(factory);
      Class<?> configuratorType = Class.forName("ch.qos.logback.classic.joran.JoranConfigurator");
      Object configurator = configuratorType.getConstructor().newInstance();
      configuratorType
          .getMethod("setContext", Class.forName("ch.qos.logback.core.Context"))
          .invoke(configurator, factory);
      configuratorType.getMethod("doConfigure", URL.class).invoke(configurator, config);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw new IllegalStateException("Cannot switch Logback to JSON: " + e.getCause(), e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot switch Logback to JSON: " + e, e);
    }
  }
}
