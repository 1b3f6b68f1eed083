package io.tinyllm.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A TCP port from 0 (pick a free one) to 65535, checked while picocli parses so a bad value is a
 * usage error naming the option, not a setting's error once the command has started.
 */
final class PortConverter implements ITypeConverter<Integer> {
  @Override
  public Integer convert(String value) {
    int port;
    try {
      port = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a port: expected 0 to 65535");
    }
    if (port < 0 || port > 65535) {
      throw new TypeConversionException("'" + value + "' is not a port: expected 0 to 65535");
    }
    return port;
  }
}
