package io.tinyllm.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A whole number of 1 or more, refused in words a user reads rather than Java's. */
final class PositiveIntConverter implements ITypeConverter<Integer> {
  @Override
  public Integer convert(String value) {
    int number;
    try {
      number = Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a whole number: expected 1 to " + Integer.MAX_VALUE);
    }
    if (number < 1) {
      throw new TypeConversionException(
          "'" + value + "' is out of range: expected 1 to " + Integer.MAX_VALUE);
    }
    return number;
  }
}
