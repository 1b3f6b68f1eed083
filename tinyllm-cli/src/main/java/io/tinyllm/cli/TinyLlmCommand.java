package io.tinyllm.cli;

import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.metrics.SystemInfoMetrics;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tinyllm}: the top-level command; its subcommands do the work. */
@Command(
    name = "tinyllm",
    mixinStandardHelpOptions = true,
    versionProvider = TinyLlmCommand.Version.class,
    description = "Run small local LLMs served by Ollama, with Prometheus metrics built in.",
    subcommands = {
      VersionCommand.class,
      RunCommand.class,
      BatchCommand.class,
      ChatCommand.class,
      ModelsCommand.class,
      GraphCommand.class,
      StatsCommand.class,
      CacheCommand.class,
      HealthCommand.class,
      DemoCommand.class,
      OllamaSimCommand.class,
      ProxyCommand.class,
      MetricsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class TinyLlmCommand implements Runnable {
  @Option(
      names = "--debug",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Show stack traces of errors and debug logs.")
  boolean debug;

  @Option(
      names = "--log-level",
      scope = CommandLine.ScopeType.INHERIT,
      paramLabel = "LEVEL",
      description = "Log level on stderr: ERROR, WARN (default), INFO, DEBUG, TRACE.")
  String logLevel;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The command line with TinyLLM's error handling: one clear line, no stack trace. */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new TinyLlmCommand());
    addHelpOptions(commandLine);
    commandLine.setExecutionExceptionHandler(TinyLlmCommand::handleExecutionException);
    commandLine.setParameterExceptionHandler(TinyLlmCommand::handleParameterException);
    return commandLine;
  }

  /** Gives every subcommand, at any depth, {@code --help} and {@code --version}. */
  private static void addHelpOptions(CommandLine commandLine) {
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      CommandLine.Model.CommandSpec spec = sub.getCommandSpec();
      if (!(spec.userObject() instanceof CommandLine.HelpCommand)) {
        spec.mixinStandardHelpOptions(true);
        spec.versionProvider(new Version());
      }
      addHelpOptions(sub);
    }
  }

  private static int handleExecutionException(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    boolean debug = debugRequested(parseResult);
    if (e instanceof UsageException) {
      err.println("tinyllm: " + e.getMessage());
      err.flush();
      return ExitCodes.USAGE;
    }
    if (e instanceof TinyLlmException) {
      err.println("tinyllm: " + e.getMessage());
    } else {
      err.println("tinyllm: unexpected error: " + e + " (run with --debug for details)");
    }
    if (debug) {
      e.printStackTrace(err);
    }
    err.flush();
    return ExitCodes.FAILURE;
  }

  /** Whether --debug was given, on the top-level command or on any subcommand (it is inherited). */
  private static boolean debugRequested(CommandLine.ParseResult parseResult) {
    for (CommandLine.ParseResult p = parseResult; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--debug")) {
        return true;
      }
    }
    return false;
  }

  private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println("tinyllm: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Run '" + commandLine.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return ExitCodes.USAGE;
  }

  /** Prints the version for {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "tinyllm " + SystemInfoMetrics.version(),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
