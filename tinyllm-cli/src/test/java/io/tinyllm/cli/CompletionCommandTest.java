package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionCommandTest {
  @TempDir Path dir;

  @Test
  void bashCompletesCommandsAndShortcuts() throws Exception {
    Cli.Result result = Cli.run("completion", "bash");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("complete -F _complete_tinyllm")
        .contains("models")
        .contains("ls")
        .contains("--ollama");
    assertBashAccepts(result.out());
  }

  @Test
  void zshLoadsBashCompletionThroughBashcompinit() {
    Cli.Result result = Cli.run("completion", "zsh");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .startsWith(
            "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n")
        .contains("complete -F _complete_tinyllm");
  }

  @Test
  void fishCompletesCommandsSubcommandsAndOptions() {
    Cli.Result result = Cli.run("completion", "fish");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("complete -c tinyllm -f\n")
        .containsPattern(
            "(?m)^complete -c tinyllm -n 'not __fish_seen_subcommand_from [^']*' -a models -d '")
        .containsPattern(
            "(?m)^complete -c tinyllm -n '__fish_seen_subcommand_from models' -a list -d 'Models installed on the server'$")
        .containsPattern(
            "(?m)^complete -c tinyllm -n '__fish_seen_subcommand_from list' -s q -l quiet -d ")
        .containsPattern(
            "(?m)^complete -c tinyllm -n '__fish_seen_subcommand_from completion' -a ");
  }

  @Test
  void anUnknownShellIsAUsageError() {
    Cli.Result result = Cli.run("completion", "tcsh");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo("tinyllm: unknown shell 'tcsh' for completion: expected bash, zsh or fish\n");
  }

  /** bash -n: the script parses; skipped only where no bash is installed. */
  private void assertBashAccepts(String script) throws Exception {
    Path bash = Path.of("/bin/bash");
    if (!Files.isExecutable(bash)) {
      System.out.println("no /bin/bash: the script's syntax is not checked");
      return;
    }
    Path file = dir.resolve("tinyllm.bash");
    Files.writeString(file, script);
    Process process =
        new ProcessBuilder(bash.toString(), "-n", file.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.exitValue()).as(output).isZero();
  }
}
