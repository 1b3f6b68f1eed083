package io.tinyllm.cli;

import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.metrics.SystemInfoMetrics;
import java.io.PrintWriter;
import java.util.Arrays;
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
      converter = LogLevelConverter.class,
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

  /**
   * Runs {@code args} on {@code commandLine}. picocli lets an {@link Error} through: it becomes one
   * line and exit {@value ExitCodes#JVM_ERROR}, with the JVM's trace only under {@code --debug}.
   */
  static int execute(CommandLine commandLine, String... args) {
    try {
      return commandLine.execute(args);
    } catch (Error e) {
      return handleError(e, e, commandLine.getErr(), Arrays.asList(args).contains("--debug"));
    }
  }

  private static int handleError(Error error, Throwable trace, PrintWriter err, boolean debug) {
    err.println(
        "tinyllm: " + describeError(error) + (debug ? "" : " (run with --debug for the trace)"));
    if (debug) {
      trace.printStackTrace(err);
    }
    err.flush();
    return ExitCodes.JVM_ERROR;
  }

  private static String describeError(Error e) {
    if (e instanceof OutOfMemoryError) {
      return "out of memory ("
          + e.getMessage()
          + "); give the JVM more with TINYLLM_JAVA_OPTS=-Xmx..., or make the input smaller";
    }
    if (e instanceof StackOverflowError) {
      return "stack overflow: the input nests too deeply";
    }
    return "internal error: " + e;
  }

  /** The {@link Error} that {@code e} wraps (a worker thread's, say), or null. */
  private static Error errorCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Error error) {
        return error;
      }
    }
    return null;
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
    Error error = errorCause(e);
    if (error != null) {
      // an Error on a worker thread reaches here wrapped in the future that carried it
      return handleError(error, e, err, debug);
    }
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

  /** Refuses a level Logback does not know: it would quietly log at DEBUG. */
  static final class LogLevelConverter implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String level = LogSetup.level(value);
      if (level == null) {
        throw new CommandLine.TypeConversionException(
            "'"
                + value
                + "' is not a log level: expected one of "
                + String.join(", ", LogSetup.LEVELS));
      }
      return level;
    }
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
