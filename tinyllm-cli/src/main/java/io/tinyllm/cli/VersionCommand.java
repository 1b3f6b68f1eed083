package io.tinyllm.cli;

import io.tinyllm.metrics.SystemInfoMetrics;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tinyllm version}: the same as {@code --version}, or a JSON object. */
@Command(
    name = "version",
    description = "Print the TinyLLM and Java versions.",
    footerHeading = "%nExamples:%n",
    footer = {"  tinyllm version", "  tinyllm version --json | jq -r .version"})
final class VersionCommand implements Runnable {
  @Option(names = "--json", description = "Print a JSON object.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> version = new LinkedHashMap<>();
      version.put("version", SystemInfoMetrics.version());
      version.put("java_version", System.getProperty("java.version"));
      version.put("java_vendor", System.getProperty("java.vendor"));
      out.println(CliJson.pretty(version));
    } else {
      for (String line : new TinyLlmCommand.Version().getVersion()) {
        out.println(line);
      }
    }
    out.flush();
  }
}
