package io.tinyllm.cli;

import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.ollama.LocalModel;
import io.tinyllm.ollama.ModelDetails;
import io.tinyllm.ollama.ModelInfo;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.PullProgress;
import io.tinyllm.ollama.RunningModel;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tinyllm models list|ps|show|pull|delete|stop}: Ollama's model inventory. The same commands
 * are at the top level as {@code ollama} names them ({@code tinyllm list}, {@code tinyllm rm}).
 */
@Command(
    name = "models",
    description = "List, inspect, pull, stop and delete Ollama's models.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm models list",
      "  tinyllm models pull qwen2.5:0.5b",
      "  tinyllm models show qwen2.5:0.5b --json",
      "  tinyllm models ps",
      "  tinyllm models stop qwen2.5:0.5b",
      "  tinyllm models delete qwen2.5:0.5b",
      "The same commands at the top level, as ollama names them: tinyllm list (ls), ps, show,"
          + " pull, stop, cp, rm."
    },
    subcommands = {
      ModelsCommand.ListModels.class,
      ModelsCommand.Running.class,
      ModelsCommand.Show.class,
      ModelsCommand.Pull.class,
      ModelsCommand.Stop.class,
      ModelsCommand.Copy.class,
      ModelsCommand.Delete.class
    })
final class ModelsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing subcommand: list, ps, show, pull, stop, cp or delete");
  }

  /** Runs {@code action} with a plain Ollama client; see {@link OllamaCalls}. */
  static <T> T withClient(OllamaOptions ollama, String model, Function<OllamaClient, T> action) {
    return OllamaCalls.with(ollama, model, action);
  }

  /** {@code models list}. */
  @Command(
      name = "list",
      aliases = "ls",
      description = "Models installed on the server.",
      footerHeading = "%nExamples:%n",
      footer = {
        "  tinyllm list",
        "  tinyllm list -q | xargs tinyllm rm      # remove every model",
        "  tinyllm models list --json --ollama gpu-box:11434"
      })
  static final class ListModels implements Callable<Integer> {
    @Mixin OllamaOptions ollama;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Option(
        names = {"-q", "--quiet"},
        description = "Print only the names, one a line.")
    boolean quiet;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      List<LocalModel> models = withClient(ollama, null, OllamaClient::list);
      PrintWriter out = spec.commandLine().getOut();
      if (quiet && !json) {
        models.forEach(m -> out.println(m.name()));
        out.flush();
        return ExitCodes.OK;
      }
      if (json) {
        out.println(CliJson.pretty(models.stream().map(ModelsCommand::json).toList()));
        out.flush();
        return ExitCodes.OK;
      }
      Table table = new Table("NAME", "ID", "SIZE", "PARAMS", "QUANT", "MODIFIED");
      Instant now = Instant.now();
      for (LocalModel m : models) {
        table.row(
            m.name(),
            shortDigest(m.digest()),
            Table.bytes(m.size()),
            blank(m.details().parameterSize()),
            blank(m.details().quantizationLevel()),
            ago(m.modifiedAt(), now));
      }
      table.print(out);
      if (models.isEmpty()) {
        spec.commandLine()
            .getErr()
            .println("No models installed; pull one with: tinyllm pull qwen2.5:0.5b");
        spec.commandLine().getErr().flush();
      }
      return ExitCodes.OK;
    }
  }

  /** {@code models ps}. */
  @Command(
      name = "ps",
      description = "Models loaded in memory now.",
      footerHeading = "%nExamples:%n",
      footer = {"  tinyllm ps", "  tinyllm ps --json"})
  static final class Running implements Callable<Integer> {
    @Mixin OllamaOptions ollama;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      List<RunningModel> models = withClient(ollama, null, OllamaClient::running);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(CliJson.pretty(models.stream().map(ModelsCommand::json).toList()));
        out.flush();
        return ExitCodes.OK;
      }
      Table table = new Table("NAME", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL");
      Instant now = Instant.now();
      for (RunningModel m : models) {
        table.row(
            m.name(),
            Table.bytes(m.size()),
            processor(m),
            m.contextLength() == 0 ? "-" : m.contextLength(),
            until(m.expiresAt(), now));
      }
      table.print(out);
      return ExitCodes.OK;
    }
  }

  /** {@code models show NAME}. */
  @Command(
      name = "show",
      description = "Details, capabilities and parameters of a model.",
      footerHeading = "%nExamples:%n",
      footer = {"  tinyllm show qwen2.5:0.5b", "  tinyllm show qwen2.5:0.5b --json"})
  static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The model, e.g. qwen2.5:0.5b.")
    String name;

    @Mixin OllamaOptions ollama;

    @Option(names = "--json", description = "Print a JSON object.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ModelInfo info = withClient(ollama, name, client -> client.show(name));
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(CliJson.pretty(json(info)));
        out.flush();
        return ExitCodes.OK;
      }
      ModelDetails d = info.details();
      Table model = new Table("  Model", "");
      model.row("    name", info.name());
      model.row("    family", blank(d.family()));
      model.row("    parameters", blank(d.parameterSize()));
      model.row("    quantization", blank(d.quantizationLevel()));
      model.row("    format", blank(d.format()));
      Object context = suffixed(info.modelInfo(), ".context_length");
      model.row("    context length", context == null ? "-" : context);
      Object embedding = suffixed(info.modelInfo(), ".embedding_length");
      model.row("    embedding length", embedding == null ? "-" : embedding);
      model.print(out);
      out.println();
      out.println("  Capabilities");
      info.capabilities().forEach(c -> out.println("    " + c));
      if (info.parameters() != null && !info.parameters().isBlank()) {
        out.println();
        out.println("  Parameters");
        info.parameters().lines().forEach(l -> out.println("    " + l.strip()));
      }
      if (info.license() != null && !info.license().isBlank()) {
        out.println();
        out.println("  License");
        out.println("    " + info.license().lines().findFirst().orElse("").strip());
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code models pull NAME...}. */
  @Command(
      name = "pull",
      description = "Download models, showing progress.",
      footerHeading = "%nExamples:%n",
      footer = {"  tinyllm pull qwen2.5:0.5b", "  tinyllm pull qwen2.5:0.5b nomic-embed-text"})
  static final class Pull implements Callable<Integer> {
    @Parameters(
        paramLabel = "NAME",
        arity = "1..*",
        description = "The models, e.g. qwen2.5:0.5b; pulled one after another.")
    List<String> names;

    @Mixin OllamaOptions ollama;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      for (String name : bounded(names)) {
        PullReporter reporter = new PullReporter(err, ProgressStyle.detect());
        OllamaCalls.with(
            ollama,
            name,
            client -> {
              client.pull(name, reporter::report);
              return null;
            });
        reporter.finish();
        spec.commandLine().getOut().println("pulled " + name);
        spec.commandLine().getOut().flush();
      }
      return ExitCodes.OK;
    }
  }

  /** {@code models stop NAME...}: unloads, as {@code ollama stop} does (keep_alive 0). */
  @Command(
      name = "stop",
      description = "Unload models from memory now; they stay installed.",
      footerHeading = "%nExamples:%n",
      footer = {"  tinyllm stop qwen2.5:0.5b", "  tinyllm ps --json   # what is loaded"})
  static final class Stop implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", arity = "1..*", description = "The models to unload.")
    List<String> names;

    @Mixin OllamaOptions ollama;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      for (String name : bounded(names)) {
        OllamaCalls.with(
            ollama,
            name,
            client -> {
              client.generate(GenerateRequest.builder(name, "").keepAlive("0").build());
              return null;
            },
            (e, model) ->
                CliErrors.missing(e, model, "cannot stop model '%s': it is not installed"));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code models cp SOURCE DESTINATION}, as {@code ollama cp}. */
  @Command(
      name = "cp",
      description = "Copy a model: install it again under another name.",
      footerHeading = "%nExamples:%n",
      footer = {"  tinyllm cp qwen2.5:0.5b my-assistant:latest"})
  static final class Copy implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "An installed model.")
    String source;

    @Parameters(index = "1", paramLabel = "DESTINATION", description = "The new name.")
    String destination;

    @Mixin OllamaOptions ollama;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      OllamaCalls.with(
          ollama,
          source,
          client -> {
            client.copy(source, destination);
            return null;
          },
          (e, model) -> CliErrors.missing(e, model, "model '%s' not found"));
      spec.commandLine().getOut().println("copied '" + source + "' to '" + destination + "'");
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  /** {@code models delete NAME...}. */
  @Command(
      name = "delete",
      aliases = "rm",
      description = "Remove models from the server.",
      footerHeading = "%nExamples:%n",
      footer = {
        "  tinyllm rm qwen2.5:0.5b",
        "  tinyllm rm qwen2.5:0.5b llama3.2:1b",
        "  tinyllm models delete qwen2.5:0.5b"
      })
  static final class Delete implements Callable<Integer> {
    @Parameters(
        paramLabel = "NAME",
        arity = "1..*",
        description = "The models, e.g. qwen2.5:0.5b; removed one after another.")
    List<String> names;

    @Mixin OllamaOptions ollama;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      for (String name : bounded(names)) {
        OllamaCalls.with(
            ollama,
            name,
            client -> {
              client.delete(name);
              return null;
            },
            (e, model) -> CliErrors.missing(e, model, "model '%s' not found"));
        spec.commandLine().getOut().println("deleted " + name);
        spec.commandLine().getOut().flush();
      }
      return ExitCodes.OK;
    }
  }

  /** The names a command takes at once: more is a usage error, not an hour of calls. */
  static final int MAX_NAMES = 100;

  private static List<String> bounded(List<String> names) {
    if (names.size() > MAX_NAMES) {
      throw new UsageException(
          names.size() + " model names given; at most " + MAX_NAMES + " at once");
    }
    return names;
  }

  /**
   * Pull progress: a bar per layer when stderr is a terminal (see {@link ProgressStyle}); otherwise
   * one line per status and per tenth of a layer, so a log stays short.
   */
  static final class PullReporter {
    private final PrintWriter err;
    private final ProgressStyle style;
    private String lastStatus;
    private long lastTenth = -1;
    private ProgressBar bar;

    PullReporter(PrintWriter err, ProgressStyle style) {
      this.err = err;
      this.style = style;
    }

    void report(PullProgress p) {
      boolean layer = p.digest() != null && p.total() > 0;
      boolean newStatus = !p.status().equals(lastStatus);
      if (newStatus) {
        endBar();
        lastStatus = p.status();
        lastTenth = -1;
      }
      if (layer && style.redraw()) {
        if (bar == null) {
          bar = new ProgressBar(err, p.status(), ProgressBar.Unit.BYTES, style);
        }
        bar.update(p.completed(), p.total(), "");
        return;
      }
      if (layer) {
        long tenth = (long) Math.floor(p.fraction() * 10);
        if (tenth != lastTenth) {
          lastTenth = tenth;
          err.printf(
              Locale.ROOT,
              "%s: %3.0f%% of %s%n",
              p.status(),
              p.fraction() * 100,
              Table.bytes(p.total()));
        }
      } else if (newStatus) {
        err.println(p.status());
      }
      err.flush();
    }

    private void endBar() {
      if (bar != null) {
        bar.finish();
        bar = null;
      }
    }

    void finish() {
      endBar();
      err.flush();
    }
  }

  private static Object suffixed(Map<String, Object> info, String suffix) {
    return info.entrySet().stream()
        .filter(e -> e.getKey().endsWith(suffix))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  private static String shortDigest(String digest) {
    if (digest == null || digest.isBlank()) {
      return "-";
    }
    String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
    return hex.substring(0, Math.min(12, hex.length()));
  }

  private static String blank(String text) {
    return text == null || text.isBlank() ? "-" : text;
  }

  private static String processor(RunningModel m) {
    if (m.size() <= 0) {
      return "-";
    }
    long gpu = Math.round(100.0 * m.sizeVram() / m.size());
    if (gpu <= 0) {
      return "100% CPU";
    }
    return gpu >= 100 ? "100% GPU" : (100 - gpu) + "%/" + gpu + "% CPU/GPU";
  }

  static String ago(Instant when, Instant now) {
    if (when == null) {
      return "-";
    }
    return human(Duration.between(when, now)) + " ago";
  }

  private static String until(Instant when, Instant now) {
    if (when == null) {
      return "-";
    }
    Duration left = Duration.between(now, when);
    return left.isNegative() ? "now" : human(left) + " from now";
  }

  private static String human(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s <= 1 ? "about a second" : s + " seconds";
    }
    if (s < 3600) {
      long m = s / 60;
      return m == 1 ? "a minute" : m + " minutes";
    }
    if (s < 86_400) {
      long h = s / 3600;
      return h == 1 ? "an hour" : h + " hours";
    }
    long days = s / 86_400;
    return days == 1 ? "a day" : days + " days";
  }

  private static Map<String, Object> json(ModelDetails d) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("format", d.format());
    json.put("family", d.family());
    json.put("families", d.families());
    json.put("parameter_size", d.parameterSize());
    json.put("quantization_level", d.quantizationLevel());
    return json;
  }

  private static Map<String, Object> json(LocalModel m) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", m.name());
    json.put("model", m.model());
    json.put("size", m.size());
    json.put("digest", m.digest());
    json.put("modified_at", m.modifiedAt() == null ? null : m.modifiedAt().toString());
    json.put("details", json(m.details()));
    return json;
  }

  private static Map<String, Object> json(RunningModel m) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", m.name());
    json.put("model", m.model());
    json.put("size", m.size());
    json.put("size_vram", m.sizeVram());
    json.put("digest", m.digest());
    json.put("expires_at", m.expiresAt() == null ? null : m.expiresAt().toString());
    json.put("context_length", m.contextLength());
    json.put("details", json(m.details()));
    return json;
  }

  private static Map<String, Object> json(ModelInfo info) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", info.name());
    json.put("details", json(info.details()));
    json.put("capabilities", info.capabilities());
    json.put("model_info", info.modelInfo());
    json.put("parameters", info.parameters());
    json.put("template", info.template());
    json.put("license", info.license());
    json.put("modified_at", info.modifiedAt() == null ? null : info.modifiedAt().toString());
    return json;
  }
}
