package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.executor.ExecutorConfig;
import io.tinyllm.executor.memory.ConversationMemoryFactory;
import io.tinyllm.executor.memory.MemoryConfig;
import io.tinyllm.executor.memory.MemoryMetrics;
import io.tinyllm.ollama.ModelInfo;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tinyllm chat}: a multi-turn conversation, answers streamed as they come. */
@Command(
    name = "chat",
    sortOptions = false,
    description = {
      "Chat with a model. On a terminal: a line editor with history (kept in"
          + " $XDG_STATE_HOME/tinyllm/chat_history, else ~/.local/state/tinyllm/chat_history),"
          + " \"\"\" around a multi-line message, Ctrl-C stops an answer, Ctrl-D or /bye ends"
          + " the chat; /? lists the commands (/set system, /set parameter, /show, /save, /clear)."
          + " With piped input each line is a message and the answers stream to stdout.",
      "Exit status: 0, 1 when Ollama or the model is missing or a turn failed, 130 when"
          + " interrupted."
    },
    footer = {
      "",
      "Examples:",
      "  tinyllm chat -m qwen2.5:0.5b",
      "  tinyllm chat --system 'Answer in French.' --temperature 0",
      "  printf 'Hi\\nWhat did I just say?\\n' | tinyllm chat -m qwen2.5:0.5b"
    })
final class ChatCommand implements Callable<Integer> {
  @Option(
      names = {"-m", "--model"},
      paramLabel = "NAME",
      description = "The model to chat with (default: qwen2.5:0.5b).")
  String model;

  @Option(names = "--system", paramLabel = "TEXT", description = "A system prompt.")
  String system;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      converter = NonNegativeNumberConverter.class,
      description = "Sampling temperature (default: the model's).")
  Double temperature;

  @Option(
      names = "--max-turns",
      paramLabel = "N",
      description = "Messages remembered; older ones are forgotten first (default 20).")
  Integer maxTurns;

  @Mixin OllamaOptions ollama;

  @Spec CommandSpec spec;

  /** Where messages come from; stdin unless a test sets it. */
  InputStream input = System.in;

  /**
   * The terminal to chat on; made from stdin and stdout when they are one, unless a test sets it.
   */
  Terminal terminal;

  /** Where the history is kept; the user's history file unless a test sets it. */
  Path historyFile;

  @Override
  public Integer call() throws IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    ollama.addTo(settings);
    if (maxTurns != null) {
      if (maxTurns < 1) {
        throw new UsageException("--max-turns must be at least 1, got " + maxTurns);
      }
      settings.put("memory.max-turns", maxTurns.toString());
    }
    ChatParameters parameters = new ChatParameters();
    if (temperature != null) {
      parameters.set("temperature", List.of(temperature.toString()));
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Settings chatSettings = Settings.of(settings);
    String chatModel = model != null ? model : ExecutorConfig.from(chatSettings).defaultModel();
    // No injector: chat serves no metrics and its settings cannot turn the cache on, so the
    // injector's LlmClient would be this plain client anyway; building it all (every plug-in, the
    // shared registry) cost most of a second before the first prompt (docs/performance.md §7).
    try (StopSignal stop = StopSignal.install();
        OllamaClient server = OllamaClient.createOneShot(OllamaConfig.from(chatSettings))) {
      ModelInfo info;
      try {
        // a missing model (or server) is said before the first prompt, not after a message
        info = server.show(chatModel);
      } catch (LlmException e) {
        throw CliErrors.translate(e, chatModel);
      }
      ChatSession session =
          new ChatSession(
              server,
              server,
              chatModel,
              info,
              new ConversationMemoryFactory(MemoryConfig.from(chatSettings), new MemoryMetrics())
                  .create(),
              parameters,
              system);
      Terminal chatTerminal = terminal != null ? terminal : systemTerminal();
      int code;
      if (chatTerminal == null) {
        code = new PipedChat(session, input, out, err).run(stop);
      } else {
        try (Terminal closing = terminal != null ? null : chatTerminal) {
          code = new TerminalChat(session, chatTerminal, history()).run(stop);
        }
        if (stop.stopRequested()) {
          err.println(); // off the prompt's line
        }
      }
      if (stop.stopRequested()) {
        // said here, before the stop signal is closed: once it is, the JVM may halt at any time
        err.println("tinyllm: Interrupted");
        err.flush();
        return ExitCodes.INTERRUPTED;
      }
      return code;
    }
  }

  /** A terminal on stdin and stdout when both are one (and stdin was not replaced), else null. */
  private Terminal systemTerminal() throws IOException {
    if (input != System.in || System.console() == null) {
      return null;
    }
    return TerminalBuilder.builder().system(true).name("tinyllm").build();
  }

  private Path history() {
    return historyFile != null
        ? historyFile
        : TerminalChat.defaultHistoryFile(System.getenv(), System.getProperty("user.home"));
  }
}
