package io.tinyllm.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import picocli.CommandLine;

/** Runs the {@code tinyllm} command line in this JVM, capturing stdout, stderr and exit code. */
final class Cli {
  /** What a run printed and returned. */
  record Result(int exitCode, String out, String err) {}

  /**
   * An address nothing listens on (port 1, tcpmux, is never served here): connections are refused
   * at once. Unlike a port that was free a moment ago, no other test's server can take it.
   */
  static final String NOWHERE = "127.0.0.1:1";

  private final CommandLine commandLine = TinyLlmCommand.commandLine();
  private final AwaitableText out = new AwaitableText();
  private final AwaitableText err = new AwaitableText();

  Cli() {
    commandLine.setOut(new PrintWriter(out.writer(), true));
    commandLine.setErr(new PrintWriter(err.writer(), true));
  }

  static Result run(String... args) {
    return new Cli().execute(args);
  }

  /** Runs {@code tinyllm chat ...} reading {@code input} as stdin. */
  static Result chat(String input, String... args) {
    Cli cli = new Cli();
    ChatCommand chat = (ChatCommand) cli.commandLine.getSubcommands().get("chat").getCommand();
    chat.input = new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
    String[] all = new String[args.length + 1];
    all[0] = "chat";
    System.arraycopy(args, 0, all, 1, args.length);
    return cli.execute(all);
  }

  /** The object of subcommand {@code name}, to set what a test controls (stdin, the stop). */
  @SuppressWarnings("unchecked")
  <T> T command(String name) {
    return (T) commandLine.getSubcommands().get(name).getCommand();
  }

  /** Adds a subcommand, for a test that needs a command path no real command offers. */
  Cli with(String name, Object command) {
    commandLine.addSubcommand(name, command);
    // setOut/setErr reach only the subcommands present when called
    commandLine.setOut(new PrintWriter(out.writer(), true));
    commandLine.setErr(new PrintWriter(err.writer(), true));
    return this;
  }

  Result execute(String... args) {
    int code = TinyLlmCommand.execute(commandLine, args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Starts the command on another thread; see {@link #awaitErr} and {@link Running#result}. */
  Running start(String... args) {
    CompletableFuture<Result> result = CompletableFuture.supplyAsync(() -> execute(args));
    return new Running(result);
  }

  /** Waits, bounded, until stderr so far satisfies {@code condition}; returns it. */
  String awaitErr(Predicate<String> condition, Duration timeout) throws InterruptedException {
    return err.await("stderr", condition, timeout);
  }

  /** Waits, bounded, until stdout so far satisfies {@code condition}; returns it. */
  String awaitOut(Predicate<String> condition, Duration timeout) throws InterruptedException {
    return out.await("stdout", condition, timeout);
  }

  /** A command running on another thread. */
  record Running(CompletableFuture<Result> future) {
    Result result(Duration timeout) throws Exception {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
