package io.tinyllm.cli;

import io.tinyllm.ollama.OllamaHost;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tinyllm config}: the settings in effect and where each came from. */
@Command(
    name = "config",
    description = {
      "Show the settings in effect and where each came from: a flag, an environment variable,"
          + " the config file (with its line) or the built-in default.",
      "The file is $TINYLLM_CONFIG, else $XDG_CONFIG_HOME/tinyllm/config.yaml, else"
          + " ~/.config/tinyllm/config.yaml; lines of 'key: value' with the keys shown here."
          + " Environment variables: TINYLLM_MODEL, TINYLLM_TIMEOUT, TINYLLM_CONNECT_TIMEOUT,"
          + " TINYLLM_RETRIES, TINYLLM_METRICS_PORT, and Ollama's own OLLAMA_HOST."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm config",
      "  tinyllm config --json",
      "  TINYLLM_TIMEOUT=30s tinyllm config",
      "  printf 'model: qwen2.5:1.5b\\ntimeout: 2m\\n' > ~/.config/tinyllm/config.yaml"
    })
final class ConfigCommand implements Callable<Integer> {
  @Option(
      names = "--json",
      description = "Print a JSON object: file, file_found and settings (key, value, source).")
  boolean json;

  @Spec CommandSpec spec;

  /** The environment read; a test sets its own. */
  Map<String, String> env = System.getenv();

  /** The home directory of the default file; a test sets its own. */
  Path home = Path.of(System.getProperty("user.home"));

  @Override
  public Integer call() {
    CliConfig config = CliConfig.load(env, home);
    String ollamaFlag = ((TinyLlmCommand) spec.root().userObject()).ollama;
    List<String[]> rows = new ArrayList<>();
    for (CliConfig.Key key : CliConfig.Key.values()) {
      CliConfig.Value value = config.get(key);
      String[] row;
      if (key == CliConfig.Key.OLLAMA && ollamaFlag != null) {
        row = new String[] {key.name, ollamaFlag, "flag --ollama"};
      } else if (value != null) {
        row = new String[] {key.name, value.value(), value.source()};
      } else {
        row = new String[] {key.name, key.defaultValue, "default"};
      }
      if (key == CliConfig.Key.OLLAMA) {
        // an address may carry a user and password; never print them
        row[1] = OllamaHost.redacted(row[1]);
      }
      rows.add(row);
    }
    PrintWriter out = spec.commandLine().getOut();
    String fileState = config.fileFound() ? "" : " (not found)";
    if (json) {
      List<Map<String, Object>> settings = new ArrayList<>();
      for (String[] row : rows) {
        Map<String, Object> setting = new LinkedHashMap<>();
        setting.put("key", row[0]);
        setting.put("value", row[1]);
        setting.put("source", row[2]);
        settings.add(setting);
      }
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("file", config.file().toString());
      report.put("file_found", config.fileFound());
      report.put("settings", settings);
      out.println(CliJson.pretty(report));
    } else {
      out.println("config file: " + config.file() + fileState);
      Table table = new Table("KEY", "VALUE", "SOURCE");
      rows.forEach(r -> table.row((Object[]) r));
      table.print(out);
    }
    out.flush();
    return ExitCodes.OK;
  }
}
