package io.tinyllm.cli;

/** The command's exit codes. */
final class ExitCodes {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int USAGE = 2;

  /** The JVM gave up: out of memory, stack overflow, or another {@link Error}. */
  static final int JVM_ERROR = 3;

  private ExitCodes() {}
}
