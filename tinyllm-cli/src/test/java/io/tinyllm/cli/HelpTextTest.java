package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What every command's {@code --help} owes a reader. */
class HelpTextTest {
  /**
   * Commands whose help is written in another change under way (run, batch, chat, demo); they join
   * the examples check once their examples are in.
   */
  private static final Set<String> EXAMPLES_PENDING = Set.of();

  private static final Pattern SETTING_NAME =
      Pattern.compile("\\b(ollama|cache|queue|metrics|executor|memory|proxy)\\.[a-z-]+\\.?[a-z-]*");

  private static List<CommandLine> commands(CommandLine command) {
    List<CommandLine> all = new ArrayList<>();
    for (CommandLine sub : command.getSubcommands().values()) {
      if (!(sub.getCommand() instanceof CommandLine.HelpCommand) && !all.contains(sub)) {
        all.add(sub);
        all.addAll(commands(sub));
      }
    }
    return all;
  }

  @Test
  void everyCommandHasExamplesAWholeSummaryAndNoSettingNames() {
    CommandLine root = TinyLlmCommand.commandLine();
    List<CommandLine> all = new ArrayList<>(commands(root));
    all.add(root);

    for (CommandLine command : all) {
      String name = command.getCommandSpec().qualifiedName();
      String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
      String[] description = command.getCommandSpec().usageMessage().description();

      if (!EXAMPLES_PENDING.contains(name)) {
        assertThat(help).as(name).contains("\nExamples:\n  ");
        // the examples use the command (or its shortcut: tinyllm ps for tinyllm models ps)
        String word = name.substring(name.lastIndexOf(' ') + 1);
        assertThat(help.substring(help.indexOf("\nExamples:\n"))).as(name).contains(word);
      }
      assertThat(description).as(name).isNotEmpty();
      assertThat(description[0])
          .as(name + ": the summary the command list shows")
          .matches("(?s).*[.)]$");
      assertThat(help).as(name).doesNotContainPattern(SETTING_NAME);
    }
  }

  @Test
  void theShortcutsAreListedWithTheirOwnNames() {
    String help = TinyLlmCommand.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);

    assertThat(help)
        .containsPattern("(?m)^  list, ls +Models installed on the server\\.$")
        .containsPattern("(?m)^  rm +Remove models from the server\\.$")
        .containsPattern("(?m)^  stop +Unload models from memory now")
        .containsPattern("(?m)^  completion +Print a shell completion script");
  }
}
