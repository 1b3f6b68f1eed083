package io.tinyllm.cli;

import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.metrics.SystemInfoMetrics;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tinyllm}: the top-level command; its subcommands do the work. */
@Command(
    name = "tinyllm",
    mixinStandardHelpOptions = true,
    versionProvider = TinyLlmCommand.Version.class,
    description = "Run small local LLMs served by Ollama, with Prometheus metrics built in.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm run \"What is 2+2?\" --model qwen2.5:0.5b",
      "  tinyllm pull qwen2.5:0.5b && tinyllm list",
      "  tinyllm --ollama gpu-box:11434 ps --json",
      "  tinyllm chat --model qwen2.5:0.5b",
      "  tinyllm demo --duration 1m            # no Ollama needed: metrics on :9478",
      "  tinyllm config                        # the settings in effect, and where from",
      "  source <(tinyllm completion bash)",
      "Run 'tinyllm COMMAND --help' for a command's options and examples."
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

  /** {@code --ollama} before the subcommand, for every command that talks to Ollama. */
  @Option(
      names = "--ollama",
      paramLabel = "URL",
      converter = OllamaOptions.AddressConverter.class,
      description =
          "Ollama server for the command that follows: host, host:port or http://host:port"
              + " (default: $OLLAMA_HOST, else http://127.0.0.1:11434).")
  String ollama;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * The subcommands, in the order help lists them; {@code commandLine} adds them (not the {@code
   * Command} annotation) so that a command line naming one builds no other.
   */
  private static final List<Class<?>> COMMANDS =
      List.of(
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
          ConfigCommand.class,
          CompletionCommand.class,
          CommandLine.HelpCommand.class);

  /** Top-level options that take a value in the next argument. */
  private static final List<String> VALUED_OPTIONS = List.of("--ollama", "--log-level");

  /** The command line with every subcommand and TinyLLM's error handling (one clear line). */
  static CommandLine commandLine() {
    return commandLine(null, true);
  }

  /**
   * The command line for {@code args}: with only the subcommand they name when they name a known
   * one (picocli's model of all of them costs about a fifth of a second at start-up, every time);
   * with none for {@code --version} alone; with every one otherwise (help, completion scripts and
   * the suggestions for an unknown command need them all).
   */
  static CommandLine commandLine(String... args) {
    String name = commandName(args);
    boolean versionOnly = name == null && asksVersionOnly(args);
    if (name == null && !versionOnly) {
      return commandLine();
    }
    return commandLine(name, false);
  }

  private static CommandLine commandLine(String only, boolean all) {
    CommandLine commandLine = new CommandLine(new TinyLlmCommand());
    for (Class<?> command : COMMANDS) {
      Command annotation = command.getAnnotation(Command.class);
      if (all || names(annotation.name(), annotation.aliases()).contains(only)) {
        // built on its own, as picocli builds the top command, so its model transformer applies
        commandLine.addSubcommand(new CommandLine(command));
      }
    }
    addOllamaShortcuts(commandLine, all, only);
    if (!all && commandLine.getSubcommands().isEmpty() && only != null) {
      // a word that names no command: the whole tree, for the suggestions
      return commandLine();
    }
    addHelpOptions(commandLine);
    commandLine.setExecutionExceptionHandler(TinyLlmCommand::handleExecutionException);
    commandLine.setParameterExceptionHandler(TinyLlmCommand::handleParameterException);
    return commandLine;
  }

  /**
   * The first word of {@code args} that is neither a top-level option nor its value: the
   * subcommand's name; null if there is none, or an option other than the global ones comes first,
   * or the command is one that needs the whole tree ({@code help}, {@code completion}).
   */
  static String commandName(String... args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (VALUED_OPTIONS.contains(arg)) {
        i++;
      } else if (!arg.equals("--debug")
          && VALUED_OPTIONS.stream().noneMatch(o -> arg.startsWith(o + "="))) {
        boolean whole = arg.startsWith("-") || arg.equals("help") || arg.equals("completion");
        return whole ? null : arg;
      }
    }
    return null;
  }

  /** Whether {@code args} are {@code --version} (or {@code -V}) among global options only. */
  private static boolean asksVersionOnly(String... args) {
    boolean version = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--version") || arg.equals("-V")) {
        version = true;
      } else if (VALUED_OPTIONS.contains(arg)) {
        i++;
      } else if (!arg.equals("--debug")
          && VALUED_OPTIONS.stream().noneMatch(o -> arg.startsWith(o + "="))) {
        return false;
      }
    }
    return version;
  }

  private static List<String> names(String name, String... aliases) {
    List<String> names = new ArrayList<>(List.of(aliases));
    names.add(name);
    return names;
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

  /**
   * {@code tinyllm list|ls|ps|show|pull|stop|cp|rm}: the {@code models} subcommands under the names
   * {@code ollama} gives them, so a user's habits carry over.
   */
  private static void addOllamaShortcuts(CommandLine commandLine, boolean all, String only) {
    shortcut(commandLine, all, only, "list", ModelsCommand.ListModels::new, "ls");
    shortcut(commandLine, all, only, "ps", ModelsCommand.Running::new);
    shortcut(commandLine, all, only, "show", ModelsCommand.Show::new);
    shortcut(commandLine, all, only, "pull", ModelsCommand.Pull::new);
    shortcut(commandLine, all, only, "stop", ModelsCommand.Stop::new);
    shortcut(commandLine, all, only, "cp", ModelsCommand.Copy::new);
    shortcut(commandLine, all, only, "rm", ModelsCommand.Delete::new);
  }

  /** Adds shortcut {@code name} if {@code all}, or if {@code only} is one of its names. */
  private static void shortcut(
      CommandLine commandLine,
      boolean all,
      String only,
      String name,
      Supplier<Object> command,
      String... aliases) {
    if (!all && !names(name, aliases).contains(only)) {
      return;
    }
    CommandLine.Model.CommandSpec spec =
        CommandLine.Model.CommandSpec.forAnnotatedObject(command.get());
    spec.name(name).aliases(aliases);
    commandLine.addSubcommand(name, spec);
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
      // the message alone: a class name means nothing to the user; --debug shows the trace
      String message =
          e.getMessage() == null || e.getMessage().isBlank() ? "" : ": " + e.getMessage();
      err.println(
          "tinyllm: unexpected error" + message + (debug ? "" : " (run with --debug for details)"));
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
    String unknown = unknownCommand(e);
    if (unknown != null) {
      err.println(
          "tinyllm: unknown command '"
              + unknown
              + "' for '"
              + commandLine.getCommandSpec().qualifiedName()
              + "'");
    } else {
      err.println("tinyllm: " + e.getMessage());
    }
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Run '" + commandLine.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return ExitCodes.USAGE;
  }

  /**
   * The word given where a subcommand was expected, or null: an unmatched first word that is not an
   * option, on a command that has subcommands.
   */
  private static String unknownCommand(CommandLine.ParameterException e) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched)
        || e.getCommandLine().getSubcommands().isEmpty()
        || unmatched.getUnmatched().isEmpty()) {
      return null;
    }
    String word = unmatched.getUnmatched().get(0);
    // a command with subcommands takes no positional arguments of its own here
    boolean takesWords = !e.getCommandLine().getCommandSpec().positionalParameters().isEmpty();
    return takesWords || word.startsWith("-") ? null : word;
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
