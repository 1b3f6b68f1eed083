package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A command line naming a subcommand builds only that one, and prints, fails and exits exactly as
 * the whole tree does.
 */
class LazyCommandTreeTest {
  @Test
  void aNamedCommandIsTheOnlyOneBuilt() {
    assertThat(commands(TinyLlmCommand.commandLine("list"))).containsExactly("list");
    assertThat(commands(TinyLlmCommand.commandLine("ls", "-q"))).containsExactly("list");
    assertThat(commands(TinyLlmCommand.commandLine("--ollama", "gpu:11434", "ps", "--json")))
        .containsExactly("ps");
    assertThat(commands(TinyLlmCommand.commandLine("--log-level=INFO", "--debug", "models")))
        .containsExactly("models");
    assertThat(TinyLlmCommand.commandLine("models").getSubcommands().get("models").getSubcommands())
        .containsKeys("list", "ps", "show", "pull");
    assertThat(commands(TinyLlmCommand.commandLine("--version"))).isEmpty();
    assertThat(commands(TinyLlmCommand.commandLine("--debug", "-V"))).isEmpty();
  }

  @Test
  void helpCompletionAnUnknownWordOrNoneBuildEveryCommand() {
    int all = commands(TinyLlmCommand.commandLine()).size();
    assertThat(all).isGreaterThan(20);
    for (List<String> args :
        List.of(
            List.<String>of(),
            List.of("--help"),
            List.of("help", "list"),
            List.of("completion", "bash"),
            List.of("lsit"),
            List.of("--version", "list"),
            List.of("--bogus", "list"),
            List.of("--ollama"))) {
      assertThat(commands(TinyLlmCommand.commandLine(args.toArray(String[]::new))))
          .as("%s", args)
          .hasSize(all);
    }
  }

  @Test
  void aLazyTreeAnswersAsTheWholeTree() {
    for (List<String> args :
        List.of(
            List.of("--version"),
            List.of("list", "--help"),
            List.of("ls", "--help"),
            List.of("models", "--help"),
            List.of("models", "show", "--help"),
            List.of("run", "--help"),
            List.of("list", "--bogus"),
            List.of("--log-level", "loud", "list"),
            List.of("--ollama", Cli.NOWHERE, "list"),
            List.of("--ollama", Cli.NOWHERE, "models", "ps", "--json"),
            List.of("--ollama", Cli.NOWHERE, "show"),
            List.of("models", "lsit"),
            List.of("graph", "export", "builtin:qa", "--format", "text"),
            List.of("version", "--help"),
            List.of("ollama-sim", "--help"),
            List.of("config", "--json"))) {
      String[] argv = args.toArray(String[]::new);
      assertThat(run(TinyLlmCommand.commandLine(argv), argv))
          .as("%s", args)
          .isEqualTo(run(TinyLlmCommand.commandLine(), argv));
    }
  }

  @Test
  void aCommandsModelTransformerStillApplies() {
    Cli.Result help =
        run(TinyLlmCommand.commandLine("ollama-sim", "--help"), "ollama-sim", "--help");

    assertThat(help.out()).contains("--fail-next");
  }

  /** The distinct subcommands of {@code commandLine}, by name (aliases are the same command). */
  private static Set<String> commands(CommandLine commandLine) {
    Set<String> names = new HashSet<>();
    commandLine.getSubcommands().values().forEach(c -> names.add(c.getCommandName()));
    return names;
  }

  private static Cli.Result run(CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = TinyLlmCommand.execute(commandLine, args);
    return new Cli.Result(code, out.toString(), err.toString());
  }
}
