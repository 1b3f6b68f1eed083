package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The command-line form of every fault {@link FaultInjector} can inject, shared by {@link
 * OllamaSimulatorMain} and {@code tinyllm ollama-sim} so both accept the same flags. Each value is
 * checked when given; a bad one is an {@link IllegalArgumentException} whose message is one line
 * naming the flag and the value.
 *
 * <pre>{@code
 * FaultFlags flags = new FaultFlags().set("--mid-stream-error", "3").set("--fault-times", "1");
 * SimulatorConfig config = flags.configure(SimulatorConfig.builder()).build();
 * try (OllamaSimulator sim = OllamaSimulator.start(config)) {
 *   flags.applyTo(sim.faults());  // the next request gets an error line after 3 chunks
 * }
 * }</pre>
 */
public final class FaultFlags {
  /** One flag: its name, the label of its value, and what it does. */
  public record Flag(String name, String label, String help) {}

  /** Every fault flag, in the order a usage text lists them. */
  public static final List<Flag> FLAGS =
      List.of(
          new Flag(
              "--fail-next",
              "COUNT[:STATUS]",
              "Fail the next COUNT requests with STATUS (default 500)."),
          new Flag(
              "--error-rate",
              "RATE[:STATUS]",
              "Fail a seeded fraction RATE (0 to 1) of requests with STATUS (default 500)."),
          new Flag(
              "--fault-message",
              "TEXT",
              "Error text of --fail-next, --error-rate and --mid-stream-error (default: Ollama's"
                  + " text for a crashed model runner)."),
          new Flag(
              "--mid-stream-error",
              "CHUNKS",
              "After CHUNKS streamed lines, send an {\"error\": ...} line and end the stream (0"
                  + " chunks, or stream:false: a 500)."),
          new Flag("--drop-after", "CHUNKS", "Close the connection abruptly after CHUNKS lines."),
          new Flag(
              "--malformed-after",
              "CHUNKS",
              "Write one truncated JSON line after CHUNKS lines, then go on."),
          new Flag(
              "--stall-after",
              "CHUNKS:DURATION",
              "After CHUNKS lines send nothing for DURATION, then drop the connection."),
          new Flag("--slow-first-token", "DURATION", "Delay the first token (or whole answer)."),
          new Flag("--hang", "DURATION", "Answer nothing for DURATION, then drop the connection."),
          new Flag(
              "--fault-times",
              "N",
              "Apply the stream and delay faults to the next N requests only (default: every"
                  + " request)."),
          new Flag(
              "--fault-scope",
              "ENDPOINTS",
              "Comma-separated endpoints the faults apply to, by lower-case Endpoint name"
                  + " (default: the inference endpoints, /v1 ones included)."),
          new Flag("--fault-seed", "N", "Seed of the --error-rate draw (default 42)."),
          new Flag(
              "--max-hold",
              "DURATION",
              "Upper bound of every hang, stall and delay (default 60s, at most 10m)."));

  private static final Duration MAX_HOLD = Duration.ofMinutes(10);

  private int failCount = -1;
  private int failStatus = 500;
  private double errorRate = -1;
  private int errorRateStatus = 500;
  private String message = FaultInjector.DEFAULT_MESSAGE;
  private int midStreamError = -1;
  private int dropAfter = -1;
  private int malformedAfter = -1;
  private int stallAfter = -1;
  private Duration stallHold;
  private Duration slowFirstToken;
  private Duration hang;
  private int times = -1;
  private Set<Endpoint> scope;
  private Long seed;
  private Duration maxHold;

  /** Whether {@code name} is one of {@link #FLAGS}. */
  public static boolean isFaultFlag(String name) {
    return FLAGS.stream().anyMatch(f -> f.name().equals(name));
  }

  /**
   * Sets the flag {@code name} to {@code value}.
   *
   * @throws IllegalArgumentException when {@code name} is not a fault flag or {@code value} is bad,
   *     with a one-line message naming both
   */
  public FaultFlags set(String name, String value) {
    requireNonNull(name, "name is null");
    requireNonNull(value, "value is null");
    switch (name) {
      case "--fail-next" -> {
        int[] parts = countAndStatus(name, value, "COUNT[:STATUS], e.g. 2 or 2:503");
        failCount = parts[0];
        failStatus = parts[1];
      }
      case "--error-rate" -> {
        String[] parts = value.split(":", 2);
        errorRate = number(name, value, parts[0], "RATE[:STATUS] with RATE from 0 to 1");
        if (!(errorRate >= 0 && errorRate <= 1)) {
          throw bad(name, value, "RATE[:STATUS] with RATE from 0 to 1");
        }
        errorRateStatus = parts.length > 1 ? status(name, value, parts[1]) : 500;
      }
      case "--fault-message" -> {
        if (value.isEmpty() || value.indexOf('\n') >= 0 || value.length() > 1000) {
          throw bad(name, value, "one line of at most 1000 characters");
        }
        message = value;
      }
      case "--mid-stream-error" -> midStreamError = count(name, value, "CHUNKS, e.g. 3");
      case "--drop-after" -> dropAfter = count(name, value, "CHUNKS, e.g. 3");
      case "--malformed-after" -> malformedAfter = count(name, value, "CHUNKS, e.g. 3");
      case "--stall-after" -> {
        String expected = "CHUNKS:DURATION, e.g. 3:10s";
        String[] parts = value.split(":", 2);
        if (parts.length != 2) {
          throw bad(name, value, expected);
        }
        stallAfter = count(name, value, parts[0], expected);
        stallHold = duration(name, value, parts[1], expected);
      }
      case "--slow-first-token" -> slowFirstToken = duration(name, value, value, "DURATION");
      case "--hang" -> hang = duration(name, value, value, "DURATION");
      case "--fault-times" -> {
        times = count(name, value, "a positive count");
        if (times < 1) {
          throw bad(name, value, "a positive count");
        }
      }
      case "--fault-scope" -> scope = endpoints(name, value);
      case "--fault-seed" -> {
        try {
          seed = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw bad(name, value, "an integer");
        }
      }
      case "--max-hold" -> {
        maxHold = duration(name, value, value, "a DURATION above 0 and at most 10m");
        if (maxHold.isZero() || maxHold.compareTo(MAX_HOLD) > 0) {
          throw bad(name, value, "a DURATION above 0 and at most 10m");
        }
      }
      default -> throw new IllegalArgumentException("Unknown fault option '" + name + "'");
    }
    return this;
  }

  /** Puts the flags that belong to the configuration (seed, hold bound) into {@code builder}. */
  public SimulatorConfig.Builder configure(SimulatorConfig.Builder builder) {
    requireNonNull(builder, "builder is null");
    if (seed != null) {
      builder.faultSeed(seed);
    }
    if (maxHold != null) {
      builder.maxHold(maxHold);
    }
    return builder;
  }

  /** Arms {@code faults} with every fault given. */
  public void applyTo(FaultInjector faults) {
    requireNonNull(faults, "faults is null");
    if (scope != null) {
      faults.scope(scope.toArray(new Endpoint[0]));
    }
    if (failCount > 0) {
      faults.failNext(failCount, failStatus, message);
    }
    if (errorRate > 0) {
      faults.errorRate(errorRate, errorRateStatus, message);
    }
    if (midStreamError >= 0) {
      faults.midStreamError(midStreamError, message, times);
    }
    if (dropAfter >= 0) {
      faults.dropConnectionAfter(dropAfter, times);
    }
    if (malformedAfter >= 0) {
      faults.malformedLineAfter(malformedAfter, times);
    }
    if (stallAfter >= 0) {
      faults.stallAfter(stallAfter, stallHold, times);
    }
    if (slowFirstToken != null) {
      faults.slowFirstToken(slowFirstToken, times);
    }
    if (hang != null) {
      faults.hang(hang, times);
    }
  }

  /** Whether any fault (not only configuration) was given. */
  public boolean any() {
    return failCount > 0
        || errorRate > 0
        || midStreamError >= 0
        || dropAfter >= 0
        || malformedAfter >= 0
        || stallAfter >= 0
        || slowFirstToken != null
        || hang != null;
  }

  private static int[] countAndStatus(String name, String value, String expected) {
    String[] parts = value.split(":", 2);
    int count = count(name, value, parts[0], expected);
    int status = parts.length > 1 ? status(name, value, parts[1]) : 500;
    return new int[] {count, status};
  }

  private static int count(String name, String value, String expected) {
    return count(name, value, value, expected);
  }

  private static int count(String name, String value, String part, String expected) {
    try {
      int count = Integer.parseInt(part);
      if (count >= 0) {
        return count;
      }
    } catch (NumberFormatException e) {
      // reported below with the whole value
    }
    throw bad(name, value, expected);
  }

  private static int status(String name, String value, String part) {
    try {
      int status = Integer.parseInt(part);
      if (status >= 400 && status <= 599) {
        return status;
      }
    } catch (NumberFormatException e) {
      // reported below with the whole value
    }
    throw bad(name, value, "a STATUS from 400 to 599");
  }

  private static double number(String name, String value, String part, String expected) {
    try {
      return Double.parseDouble(part);
    } catch (NumberFormatException e) {
      throw bad(name, value, expected);
    }
  }

  private static Duration duration(String name, String value, String part, String expected) {
    Duration duration;
    try {
      duration = GoDuration.parse(part); // Go's syntax, as OLLAMA_KEEP_ALIVE: 500ms, 1.5s, 1m30s
    } catch (ApiException e) {
      throw bad(name, value, expected + " such as 500ms, 2s or 1m30s");
    }
    if (duration.isNegative()) {
      throw bad(name, value, expected + " that is not negative");
    }
    return duration;
  }

  private static Set<Endpoint> endpoints(String name, String value) {
    Set<Endpoint> endpoints = EnumSet.noneOf(Endpoint.class);
    for (String part : value.split(",", -1)) {
      Endpoint found = null;
      for (Endpoint endpoint : Endpoint.values()) {
        if (endpoint.name().toLowerCase(Locale.ROOT).equals(part.strip())) {
          found = endpoint;
        }
      }
      if (found == null) {
        throw bad(name, value, "endpoints among " + String.join(",", endpointNames()));
      }
      endpoints.add(found);
    }
    return endpoints;
  }

  private static List<String> endpointNames() {
    List<String> names = new ArrayList<>();
    for (Endpoint endpoint : Endpoint.values()) {
      names.add(endpoint.name().toLowerCase(Locale.ROOT));
    }
    return names;
  }

  private static IllegalArgumentException bad(String name, String value, String expected) {
    String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
    shown = shown.replaceAll("\\p{Cntrl}", "?"); // the message stays one line
    return new IllegalArgumentException(
        "Invalid value for option '" + name + "': '" + shown + "' (expected " + expected + ")");
  }
}
