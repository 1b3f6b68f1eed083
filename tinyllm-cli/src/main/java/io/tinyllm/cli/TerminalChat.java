package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import java.io.IOError;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * {@code chat} on a terminal, like {@code ollama run}: JLine's line editor (arrow keys, Emacs keys,
 * history kept across chats), {@code """} around a multi-line message, answers wrapped at word
 * boundaries; Ctrl-C stops an answer and the chat goes on, Ctrl-D on an empty line ends it.
 */
final class TerminalChat {
  /** Entries kept in the history, in memory and in its file. */
  static final int HISTORY_SIZE = 1000;

  static final String PROMPT = ">>> ";
  static final String CONTINUATION = "... ";

  private static final String QUOTES = "\"\"\"";

  /** A message read: its text, and whether it came between {@code """} (never a command). */
  private record Input(String text, boolean multiLine) {}

  private final ChatSession session;
  private final Terminal terminal;
  private final Path historyFile;

  /**
   * @param historyFile where the history is kept, or null to keep none beyond this chat
   */
  TerminalChat(ChatSession session, Terminal terminal, Path historyFile) {
    this.session = requireNonNull(session, "session is null");
    this.terminal = requireNonNull(terminal, "terminal is null");
    this.historyFile = historyFile;
  }

  /**
   * The history file of this user: {@code $XDG_STATE_HOME/tinyllm/chat_history}, else {@code
   * ~/.local/state/tinyllm/chat_history} (history is state, in the XDG base directory terms).
   */
  static Path defaultHistoryFile(Map<String, String> env, String userHome) {
    String state = env.get("XDG_STATE_HOME");
    Path base =
        state != null && !state.isBlank() && Path.of(state).isAbsolute()
            ? Path.of(state)
            : Path.of(userHome, ".local", "state");
    return base.resolve("tinyllm").resolve("chat_history");
  }

  /** Runs the chat until Ctrl-D, {@code /bye} or a stop; returns the exit code. */
  int run(StopSignal stop) {
    PrintWriter w = terminal.writer();
    LineReader reader = reader();
    ChatTurn turn = new ChatTurn(session);
    Thread main = Thread.currentThread();
    stop.onStop(
        () -> {
          turn.cancel();
          main.interrupt(); // ends a read of the next message
        });
    w.println(
        "Chatting with " + session.model() + ". /? for help, Ctrl + d or /bye to end the chat.");
    w.flush();
    int failures = 0;
    try {
      while (!stop.stopRequested()) {
        Input input = read(reader, w);
        if (input == null) {
          break;
        }
        String text = input.text();
        if (text.isBlank()) {
          continue;
        }
        if (!input.multiLine() && text.startsWith("/")) {
          if (session.command(text, w, w) == ChatSession.Next.END) {
            break;
          }
          continue;
        }
        if (answer(turn, text, w) == ChatTurn.Outcome.FAILED) {
          failures++;
        }
      }
    } catch (IOError | IllegalStateException e) {
      // a stop interrupts the read, and JLine's own shutdown hook closes the terminal
      if (!stop.stopRequested()) {
        throw e;
      }
    } finally {
      Thread.interrupted();
      saveHistory(reader, stop);
    }
    return failures == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  private ChatTurn.Outcome answer(ChatTurn turn, String text, PrintWriter w) {
    WordWrap wrap = new WordWrap(w, session.wordWrap() ? terminal.getColumns() : 0);
    // outside readLine, Ctrl-C reaches this handler: it stops the answer, not the chat
    Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> turn.cancel());
    try {
      ChatTurn.Outcome outcome =
          turn.run(
              text,
              wrap::write,
              message -> {
                wrap.finish();
                if (!wrap.atLineStart()) {
                  w.println();
                }
                w.println("tinyllm: " + message);
              });
      if (outcome != ChatTurn.Outcome.FAILED) {
        wrap.finish();
        if (!wrap.atLineStart()) {
          w.println();
        }
        w.println();
      }
      w.flush();
      return outcome;
    } finally {
      terminal.handle(Terminal.Signal.INT, previous);
    }
  }

  /** The next message or command; null when the chat ends (Ctrl-D on an empty line). */
  private Input read(LineReader reader, PrintWriter w) {
    String line;
    try {
      line = reader.readLine(PROMPT);
    } catch (UserInterruptException e) {
      if (e.getPartialLine().isEmpty()) {
        w.println("Use Ctrl + d or /bye to end the chat.");
        w.flush();
      }
      return new Input("", false);
    } catch (EndOfFileException e) {
      endLine(w);
      return null;
    }
    String first = line.strip();
    if (!first.startsWith(QUOTES)) {
      return new Input(first, false);
    }
    List<String> lines = new ArrayList<>();
    String rest = first.substring(QUOTES.length());
    if (rest.endsWith(QUOTES)) {
      return new Input(rest.substring(0, rest.length() - QUOTES.length()).strip(), true);
    }
    if (!rest.isBlank()) {
      lines.add(rest);
    }
    int chars = rest.length();
    while (true) {
      try {
        line = reader.readLine(CONTINUATION);
      } catch (UserInterruptException e) {
        return new Input("", true); // Ctrl-C drops the message being written
      } catch (EndOfFileException e) {
        endLine(w);
        return null;
      }
      boolean last = line.stripTrailing().endsWith(QUOTES);
      if (last) {
        String end = line.stripTrailing();
        line = end.substring(0, end.length() - QUOTES.length());
      }
      chars += line.length() + 1;
      if (chars > ChatSession.MAX_MESSAGE_CHARS) {
        w.println(
            "tinyllm: the message is longer than "
                + ChatSession.MAX_MESSAGE_CHARS
                + " characters; not sent");
        w.flush();
        return new Input("", true);
      }
      lines.add(line);
      if (last) {
        return new Input(String.join("\n", lines).strip(), true);
      }
    }
  }

  /** Ends the prompt's line after Ctrl-D: JLine does on a real terminal, not on a dumb one. */
  private void endLine(PrintWriter w) {
    if (terminal.getType().startsWith(Terminal.TYPE_DUMB)) {
      w.println();
      w.flush();
    }
  }

  private LineReader reader() {
    LineReaderBuilder builder =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("tinyllm")
            .variable(LineReader.HISTORY_SIZE, HISTORY_SIZE)
            .variable(LineReader.HISTORY_FILE_SIZE, HISTORY_SIZE)
            // '!' in a message is text, not a history expansion
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.HISTORY_IGNORE_SPACE, true);
    Path file = prepare(historyFile);
    if (file != null) {
      builder.variable(LineReader.HISTORY_FILE, file);
    }
    return builder.build();
  }

  /**
   * The history file, its folder made (readable by this user only) if missing; null if it cannot.
   */
  private Path prepare(Path file) {
    if (file == null) {
      return null;
    }
    Path folder = file.toAbsolutePath().getParent();
    try {
      if (!Files.isDirectory(folder)) {
        try {
          Files.createDirectories(
              folder,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
          Files.createDirectories(folder);
        } catch (FileAlreadyExistsException e) {
          return null; // a file where the folder should be
        }
      }
      return file;
    } catch (IOException e) {
      PrintWriter w = terminal.writer();
      w.println("tinyllm: no history kept: cannot create " + folder + " (" + e.getMessage() + ")");
      w.flush();
      return null;
    }
  }

  private void saveHistory(LineReader reader, StopSignal stop) {
    try {
      reader.getHistory().save();
    } catch (IOException e) {
      if (!stop.stopRequested()) {
        PrintWriter w = terminal.writer();
        w.println("tinyllm: the history was not saved: " + e.getMessage());
        w.flush();
      }
    }
  }
}
