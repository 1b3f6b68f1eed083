package io.tinyllm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tinyllm version}: the same as {@code --version}. */
@Command(name = "version", description = "Print the TinyLLM and Java versions.")
final class VersionCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    for (String line : new TinyLlmCommand.Version().getVersion()) {
      spec.commandLine().getOut().println(line);
    }
  }
}
