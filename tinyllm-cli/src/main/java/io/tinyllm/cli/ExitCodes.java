package io.tinyllm.cli;

/** The command's exit codes. */
final class ExitCodes {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int USAGE = 2;

  /** The JVM gave up: out of memory, stack overflow, or another {@link Error}. */
  static final int JVM_ERROR = 3;

  /**
   * Stopped by Ctrl-C or SIGTERM, as a shell reports a command a signal ended (128 + SIGINT's 2).
   * When a signal stopped the JVM, the JVM's own status (130, or 143 for SIGTERM) is what the shell
   * sees.
   */
  static final int INTERRUPTED = 130;

  private ExitCodes() {}
}
