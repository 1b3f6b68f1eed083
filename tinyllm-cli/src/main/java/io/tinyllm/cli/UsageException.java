package io.tinyllm.cli;

/** The command was called wrongly in a way picocli cannot see; exits with code 2. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
