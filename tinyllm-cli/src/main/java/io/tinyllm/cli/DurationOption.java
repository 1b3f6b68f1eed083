package io.tinyllm.cli;

import io.tinyllm.api.config.Durations;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --duration} of a long-running command: stop after it, or run until interrupted. */
final class DurationOption {
  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      description = "Stop after this long (30s, 5m); runs until interrupted when absent.")
  String duration;

  /** The duration, or null for "until interrupted"; a bad value names the option. */
  Duration runFor() {
    return duration == null ? null : Durations.parse(duration, "--duration");
  }
}
