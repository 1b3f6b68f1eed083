package io.tinyllm.cli;

/** Entry point of the {@code tinyllm} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code: 0 success, 1 failure, 2 usage error. */
  public static int run(String... args) {
    // the log level must be known before the first logger is created
    LogSetup.apply(args);
    return TinyLlmCommand.commandLine().execute(args);
  }
}
