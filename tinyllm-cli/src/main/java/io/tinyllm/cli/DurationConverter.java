package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations as settings do ({@code 500ms}, {@code 30s}, {@code 5m}, a bare number of s). */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Settings.parseDuration("duration", value);
    } catch (ConfigException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration: expected one such as 500ms, 30s, 5m or 2h");
    }
  }
}
