package io.tinyllm.ollama.sim;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator standalone until interrupted (Ctrl-C):
 *
 * <pre>
 * java -cp ... io.tinyllm.ollama.sim.OllamaSimulatorMain [--port 11434] [--addr 127.0.0.1]
 *     [--time-scale 1.0] [--num-parallel 1] [--max-queue 512] [fault flags, see FaultFlags]
 * </pre>
 *
 * <p>It prints one line with its URL, e.g. {@code Ollama simulator listening on
 * http://127.0.0.1:11434}, so scripts can wait for it.
 */
public final class OllamaSimulatorMain {
  private OllamaSimulatorMain() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    SimulatorConfig config;
    FaultFlags faults = new FaultFlags();
    try {
      config = parse(args, faults);
    } catch (IllegalArgumentException e) {
      // one line naming the option and the value; the options are one --help away
      System.err.println("ollama-sim: " + e.getMessage() + "; see --help");
      System.exit(2);
      return;
    }
    if (config == null) {
      usage(System.out);
      return;
    }
    OllamaSimulator simulator = OllamaSimulator.start(config);
    faults.applyTo(simulator.faults());
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  simulator.close();
                  done.countDown();
                },
                "ollama-sim-shutdown"));
    System.out.println("Ollama simulator listening on " + simulator.baseUri());
    System.out.flush();
    done.await();
  }

  /**
   * The configuration for {@code args}, or null when help was asked for.
   *
   * @throws IllegalArgumentException on an unknown option or a bad value
   */
  static SimulatorConfig parse(String[] args) {
    return parse(args, new FaultFlags());
  }

  /**
   * As {@link #parse(String[])}, putting the fault flags into {@code faults} (to arm once the
   * simulator runs).
   */
  static SimulatorConfig parse(String[] args, FaultFlags faults) {
    SimulatorConfig.Builder builder = SimulatorConfig.builder().port(SimulatorConfig.OLLAMA_PORT);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      switch (arg) {
        case "-h", "--help" -> {
          return null;
        }
        case "--port" -> builder.port(integer(arg, value != null ? value : next(args, ++i, arg)));
        case "--addr" -> builder.bindAddress(value != null ? value : next(args, ++i, arg));
        case "--time-scale" ->
            builder.timeScale(decimal(arg, value != null ? value : next(args, ++i, arg)));
        case "--num-parallel", "--max-parallel" ->
            builder.numParallel(integer(arg, value != null ? value : next(args, ++i, arg)));
        case "--max-queue" ->
            builder.maxQueue(integer(arg, value != null ? value : next(args, ++i, arg)));
        default -> {
          if (!FaultFlags.isFaultFlag(arg)) {
            throw new IllegalArgumentException("Unknown option: '" + arg + "'");
          }
          faults.set(arg, value != null ? value : next(args, ++i, arg));
        }
      }
    }
    return faults.configure(builder).build();
  }

  private static String next(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(
          "Missing value for option '" + option + "' (needs a value)");
    }
    return args[index];
  }

  private static int integer(String option, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Invalid value for option '" + option + "': '" + value + "' (expected an integer)", e);
    }
  }

  private static double decimal(String option, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Invalid value for option '" + option + "': '" + value + "' (expected a number)", e);
    }
  }

  private static void usage(PrintStream out) {
    out.println(
        "usage: OllamaSimulatorMain [--port N (default 11434)] [--addr LOOPBACK (default"
            + " 127.0.0.1)] [--time-scale X (default 1)] [--num-parallel N (default 1)]"
            + " [--max-queue N (default 512)] [fault options]");
    out.println("fault options:");
    for (FaultFlags.Flag flag : FaultFlags.FLAGS) {
      out.printf("  %s %s%n      %s%n", flag.name(), flag.label(), flag.help());
    }
  }
}
