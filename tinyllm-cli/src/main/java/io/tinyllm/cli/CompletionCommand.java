package io.tinyllm.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tinyllm completion bash|zsh|fish}: a completion script for the shell. Bash's is picocli's
 * generated script; zsh runs that same script through its {@code bashcompinit}; fish's is written
 * here from the command tree (commands, subcommands and option names, with their descriptions).
 */
@Command(
    name = "completion",
    description = "Print a shell completion script for bash, zsh or fish.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  source <(tinyllm completion bash)                     # bash, this shell",
      "  tinyllm completion bash > ~/.local/share/bash-completion/completions/tinyllm",
      "  source <(tinyllm completion zsh)                      # zsh, in ~/.zshrc",
      "  tinyllm completion fish > ~/.config/fish/completions/tinyllm.fish"
    })
final class CompletionCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "SHELL",
      description = "bash, zsh or fish.",
      completionCandidates = Shells.class)
  String shell;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    CommandLine root = spec.root().commandLine();
    PrintWriter out = spec.commandLine().getOut();
    switch (shell.toLowerCase(Locale.ROOT)) {
      case "bash" -> out.print(AutoComplete.bash("tinyllm", root));
      case "zsh" -> {
        // zsh completes with bash's script once bashcompinit is loaded
        out.println("autoload -U +X compinit && compinit");
        out.println("autoload -U +X bashcompinit && bashcompinit");
        out.print(AutoComplete.bash("tinyllm", root));
      }
      case "fish" -> fish(root, out);
      default ->
          throw new UsageException(
              "unknown shell '" + shell + "' for completion: expected bash, zsh or fish");
    }
    out.flush();
    return ExitCodes.OK;
  }

  /** One {@code complete} line per command and per option, by the words typed before it. */
  private static void fish(CommandLine root, PrintWriter out) {
    out.println(
        "# fish completion for tinyllm: tinyllm completion fish > ~/.config/fish/completions/tinyllm.fish");
    out.println("complete -c tinyllm -f");
    List<String> top = List.copyOf(root.getSubcommands().keySet());
    String noCommand = "not __fish_seen_subcommand_from " + String.join(" ", top);
    options(root.getCommandSpec(), "", out);
    for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
      CommandSpec spec = sub.getValue().getCommandSpec();
      out.printf(
          "complete -c tinyllm -n '%s' -a %s -d %s%n",
          noCommand, sub.getKey(), quote(summary(spec)));
      String seen = "__fish_seen_subcommand_from " + sub.getKey();
      options(spec, seen, out);
      for (Map.Entry<String, CommandLine> nested : sub.getValue().getSubcommands().entrySet()) {
        out.printf(
            "complete -c tinyllm -n '%s' -a %s -d %s%n",
            seen, nested.getKey(), quote(summary(nested.getValue().getCommandSpec())));
        options(
            nested.getValue().getCommandSpec(),
            seen + "; and __fish_seen_subcommand_from " + nested.getKey(),
            out);
      }
    }
  }

  private static void options(CommandSpec spec, String condition, PrintWriter out) {
    for (PositionalParamSpec positional : spec.positionalParameters()) {
      if (positional.completionCandidates() != null && !condition.isEmpty()) {
        out.printf(
            "complete -c tinyllm -n '%s' -a %s%n",
            condition, quote(String.join(" ", positional.completionCandidates())));
      }
    }
    for (OptionSpec option : spec.options()) {
      if (option.hidden()) {
        continue;
      }
      StringBuilder line = new StringBuilder("complete -c tinyllm");
      if (!condition.isEmpty()) {
        line.append(" -n '").append(condition).append('\'');
      }
      for (String name : option.names()) {
        if (name.startsWith("--")) {
          line.append(" -l ").append(name.substring(2));
        } else if (name.startsWith("-") && name.length() == 2) {
          line.append(" -s ").append(name.substring(1));
        }
      }
      if (option.arity().max() > 0) {
        line.append(" -r");
        if (option.completionCandidates() != null) {
          line.append(" -a ").append(quote(String.join(" ", option.completionCandidates())));
        }
      }
      String[] description = option.description();
      if (description.length > 0) {
        line.append(" -d ").append(quote(firstSentence(description[0])));
      }
      out.println(line);
    }
  }

  private static String summary(CommandSpec spec) {
    String[] description = spec.usageMessage().description();
    return description.length == 0 ? "" : firstSentence(description[0]);
  }

  private static String firstSentence(String text) {
    int end = text.indexOf(". ");
    String sentence = end < 0 ? text : text.substring(0, end);
    return sentence.endsWith(".") ? sentence.substring(0, sentence.length() - 1) : sentence;
  }

  /** A fish single-quoted word: only {@code \} and {@code '} are special inside. */
  private static String quote(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** The shells, for completing this command's own argument. */
  static final class Shells implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return List.of("bash", "zsh", "fish").iterator();
    }
  }
}
