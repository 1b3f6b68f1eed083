package io.tinyllm.cli;

import io.tinyllm.api.config.Durations;
import io.tinyllm.api.error.ConfigException;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations as settings do ({@link Durations}: {@code 500ms}, {@code 1.5s}, {@code 1h30m}).
 */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Durations.parse(value);
    } catch (ConfigException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
