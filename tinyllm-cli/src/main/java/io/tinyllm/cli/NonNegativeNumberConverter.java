package io.tinyllm.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A finite number of 0 or more. Java reads {@code NaN} and {@code Infinity} as doubles, and Jackson
 * writes them as JSON strings, which Ollama would receive as the temperature.
 */
final class NonNegativeNumberConverter implements ITypeConverter<Double> {
  @Override
  public Double convert(String value) {
    double number;
    try {
      number = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a number: expected a finite number of 0 or more");
    }
    if (!Double.isFinite(number) || number < 0) {
      throw new TypeConversionException(
          "'" + value + "' is out of range: expected a finite number of 0 or more");
    }
    return number;
  }
}
