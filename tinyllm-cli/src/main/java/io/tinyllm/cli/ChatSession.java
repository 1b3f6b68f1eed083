package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.executor.memory.ConversationMemory;
import io.tinyllm.ollama.ModelDetails;
import io.tinyllm.ollama.ModelInfo;
import io.tinyllm.ollama.OllamaClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One chat's state and its slash commands, the same on a terminal and with piped input: the model,
 * the system message, the parameters set with {@code /set parameter}, and the conversation.
 */
final class ChatSession {
  /** The longest message (or multi-line message) a user may send: a bound on what we hold. */
  static final int MAX_MESSAGE_CHARS = 1 << 20;

  /** A model name {@code /save} accepts: Ollama's characters, bounded. */
  private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}");

  /** What a slash command asks of the loop that read it. */
  enum Next {
    CONTINUE,
    END
  }

  private final LlmClient client;
  private final OllamaClient ollama;
  private final String model;
  private final ModelInfo info;
  private final ConversationMemory memory;
  private final ChatParameters parameters;
  private String system;
  private boolean wordWrap = true;

  /**
   * @param ollama the server, for {@code /save}
   * @param info what the server said about the model when the chat started
   * @param memory the conversation, without the system message (this keeps it, so {@code /set
   *     system} can change it)
   */
  ChatSession(
      LlmClient client,
      OllamaClient ollama,
      String model,
      ModelInfo info,
      ConversationMemory memory,
      ChatParameters parameters,
      String system) {
    this.client = requireNonNull(client, "client is null");
    this.ollama = requireNonNull(ollama, "ollama is null");
    this.model = requireNonNull(model, "model is null");
    this.info = requireNonNull(info, "info is null");
    this.memory = requireNonNull(memory, "memory is null");
    this.parameters = requireNonNull(parameters, "parameters is null");
    this.system = system;
  }

  String model() {
    return model;
  }

  boolean wordWrap() {
    return wordWrap;
  }

  /** Sends {@code text} as the user's next message; the answer streams to {@code listener}. */
  StreamHandle ask(String text, StreamListener listener) {
    memory.add(ChatMessage.user(text));
    return client.chatStream(
        new ChatRequest(model, messages(), parameters.options(), null, null, null), listener);
  }

  /** Remembers the model's answer to the last message. */
  void answered(String text) {
    memory.add(ChatMessage.assistant(text));
  }

  /** The system message, if any, then the conversation, oldest first. */
  List<ChatMessage> messages() {
    List<ChatMessage> messages = new ArrayList<>();
    if (system != null) {
      messages.add(ChatMessage.system(system));
    }
    messages.addAll(memory.messages());
    return messages;
  }

  /**
   * Runs the slash command {@code line}: what it shows goes to {@code out}, what it says about
   * itself (help, confirmations, problems) to {@code err}.
   */
  Next command(String line, PrintWriter out, PrintWriter err) {
    String[] words = line.strip().split("\\s+");
    try {
      switch (words[0]) {
        case "/bye", "/exit", "/quit" -> {
          return Next.END;
        }
        case "/?", "/help" -> help(words.length > 1 ? words[1] : "", err);
        case "/set" -> set(line, words, err);
        case "/show" -> show(words.length > 1 ? words[1] : "", out, err);
        case "/save" -> save(words, err);
        case "/clear" -> {
          memory.clear();
          err.println("Cleared session context");
        }
        case "/history" -> {
          for (ChatMessage message : messages()) {
            out.println(message.role().wireName() + ": " + message.content());
          }
        }
        default -> err.println("Unknown command " + words[0] + "; /? lists them");
      }
    } catch (UsageException e) {
      err.println(e.getMessage());
    }
    out.flush();
    err.flush();
    return Next.CONTINUE;
  }

  private static void help(String topic, PrintWriter err) {
    switch (topic) {
      case "shortcuts" ->
          lines(
              err,
              "Keyboard shortcuts:",
              "  Up, Down            Earlier and later messages (history, kept across chats)",
              "  Ctrl + a, Ctrl + e  Start and end of the line",
              "  Alt + b, Alt + f    One word back, one word forward",
              "  Ctrl + k, Ctrl + u  Delete to the end, to the start of the line",
              "  Ctrl + w            Delete the word before the cursor",
              "  Ctrl + r            Search the history",
              "  Ctrl + l            Clear the screen",
              "  Ctrl + c            Stop the answer being written (the chat goes on)",
              "  Ctrl + d            End the chat (on an empty line)");
      case "set" -> setUsage(err);
      case "show" -> showUsage(err);
      default ->
          lines(
              err,
              "Commands:",
              "  /set            Set the system message, parameters, word wrap",
              "  /show           Show the model, the parameters and the system message",
              "  /save <model>   Save the session as a new model",
              "  /clear          Forget the conversation",
              "  /history        Print the conversation",
              "  /bye            End the chat (also /exit, Ctrl + d)",
              "  /?, /help       This help; /? set, /? show, /? shortcuts for more",
              "",
              "Use \"\"\" to begin a multi-line message, and \"\"\" to end it.");
    }
  }

  private static void setUsage(PrintWriter err) {
    lines(
        err,
        "Set commands:",
        "  /set system <text>            Set the system message",
        "  /set parameter <name> <value> Set a model parameter (/set parameter lists them)",
        "  /set wordwrap, nowordwrap     Wrap answers at word boundaries, or not");
  }

  private static void showUsage(PrintWriter err) {
    lines(
        err,
        "Show commands:",
        "  /show info         The model's details",
        "  /show parameters   The parameters of the model and of this session",
        "  /show system       The system message",
        "  /show              All three");
  }

  private void set(String line, String[] words, PrintWriter err) {
    if (words.length < 2) {
      setUsage(err);
      return;
    }
    switch (words[1]) {
      case "system" -> {
        String text = rest(line, 2);
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
          text = text.substring(1, text.length() - 1);
        }
        system = text.isBlank() ? null : text;
        err.println(system == null ? "Cleared system message" : "Set system message");
      }
      case "parameter" -> {
        if (words.length < 3) {
          ChatParameters.usage().forEach(err::println);
          return;
        }
        parameters.set(words[2], Arrays.asList(words).subList(3, words.length));
        err.println("Set parameter '" + words[2] + "' to '" + rest(line, 3) + "'");
      }
      case "wordwrap" -> {
        wordWrap = true;
        err.println("Set word wrap mode");
      }
      case "nowordwrap" -> {
        wordWrap = false;
        err.println("Set no word wrap mode");
      }
      default -> throw new UsageException("Unknown /set " + words[1] + "; /? set lists them");
    }
  }

  /** {@code line} after its first {@code words} words, as typed. */
  private static String rest(String line, int words) {
    String rest = line.strip();
    for (int i = 0; i < words; i++) {
      int space = rest.indexOf(' ');
      rest = space < 0 ? "" : rest.substring(space + 1).strip();
    }
    return rest;
  }

  private void show(String what, PrintWriter out, PrintWriter err) {
    switch (what) {
      case "" -> {
        showInfo(out);
        out.println();
        showParameters(out);
        out.println();
        showSystem(out);
      }
      case "info" -> showInfo(out);
      case "parameters" -> showParameters(out);
      case "system" -> showSystem(out);
      default -> showUsage(err);
    }
  }

  private void showInfo(PrintWriter out) {
    ModelDetails d = info.details();
    Table table = new Table("Model", "");
    table.row("  name", model);
    table.row("  family", dash(d.family()));
    table.row("  parameters", dash(d.parameterSize()));
    table.row("  quantization", dash(d.quantizationLevel()));
    Object context = null;
    for (Map.Entry<String, Object> e : info.modelInfo().entrySet()) {
      if (e.getKey().endsWith(".context_length")) {
        context = e.getValue();
      }
    }
    table.row("  context length", context == null ? "-" : context);
    table.row("  capabilities", info.capabilities().isEmpty() ? "-" : info.capabilities());
    table.print(out);
  }

  private void showParameters(PrintWriter out) {
    out.println("Model parameters:");
    String defaults = info.parameters() == null ? "" : info.parameters().strip();
    if (defaults.isEmpty()) {
      out.println("  (none)");
    } else {
      defaults.lines().limit(100).forEach(l -> out.println("  " + l.strip()));
    }
    out.println("Session parameters:");
    if (parameters.values().isEmpty()) {
      out.println("  (none)");
    }
    parameters.values().forEach((name, value) -> out.println("  " + name + " " + value));
  }

  private void showSystem(PrintWriter out) {
    out.println("System message:");
    out.println(system == null ? "  (none)" : "  " + system);
  }

  private void save(String[] words, PrintWriter err) {
    if (words.length != 2) {
      throw new UsageException("Usage: /save <model>");
    }
    String name = words[1];
    if (!MODEL_NAME.matcher(name).matches()) {
      throw new UsageException(
          "'" + name + "' is not a model name: letters, digits and . _ : / - (at most 200)");
    }
    try {
      ollama.create(name, model, system, parameters.options(), memory.messages());
      err.println("Created new model '" + name + "'");
    } catch (LlmException e) {
      err.println(
          "tinyllm: could not save the session as '"
              + name
              + "': "
              + CliErrors.translate(e, model).getMessage());
    }
  }

  private static String dash(String value) {
    return value == null || value.isBlank() ? "-" : value;
  }

  private static void lines(PrintWriter err, String... lines) {
    for (String line : lines) {
      err.println(line);
    }
  }
}
