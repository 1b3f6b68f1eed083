package io.tinyllm.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --duration} of a long-running command: stop after it, or run until interrupted. */
final class DurationOption {
  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop after this long (30s, 5m); runs until interrupted when absent.")
  Duration duration;

  /** The duration, or null for "until interrupted". */
  Duration runFor() {
    return duration;
  }
}
