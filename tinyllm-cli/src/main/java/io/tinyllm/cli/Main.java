package io.tinyllm.cli;

/** Entry point of the {@code tinyllm} command. */
public final class Main {
  /** The system property that sizes the JDK's common fork-join pool. */
  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  private Main() {}

  public static void main(String[] args) {
    sizeCommonPool(Runtime.getRuntime().availableProcessors());
    System.exit(run(args));
  }

  /**
   * Runs the command line and returns its exit code: 0 success, 1 failure, 2 usage error, 3 the JVM
   * gave up (out of memory, stack overflow).
   */
  public static int run(String... args) {
    // the log level must be known before the first logger is created
    LogSetup.apply(args);
    return TinyLlmCommand.execute(TinyLlmCommand.commandLine(args), args);
  }

  /**
   * With 1 or 2 CPUs the common pool gets fewer than 2 threads, and {@code CompletableFuture} then
   * runs every asynchronous completion on a new thread. The JDK's HTTP client completes each {@code
   * sendAsync} that way, so every Ollama call would start (and end) a thread: about 0.4 ms of CPU
   * per call on a 2-CPU machine. Two threads avoid that; a value the user set is kept. Must run
   * before anything uses the common pool.
   */
  static void sizeCommonPool(int cpus) {
    if (cpus <= 2 && System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
  }
}
