package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * {@code chat} with piped input, for scripts: each line is a message (or a slash command), each
 * answer streams to stdout followed by a newline; no prompt, no line editing.
 *
 * <p>Lines are read on a thread of their own, so a stop (Ctrl-C, SIGTERM) ends the chat at once
 * even while stdin has nothing to read.
 */
final class PipedChat {
  private static final Object END = new Object();

  /** What the reader hit: the failure to show, and the chat ends. */
  private record Failure(String message) {}

  private final ChatSession session;
  private final InputStream input;
  private final PrintWriter out;
  private final PrintWriter err;

  PipedChat(ChatSession session, InputStream input, PrintWriter out, PrintWriter err) {
    this.session = requireNonNull(session, "session is null");
    this.input = requireNonNull(input, "input is null");
    this.out = requireNonNull(out, "out is null");
    this.err = requireNonNull(err, "err is null");
  }

  /** Runs the chat until the input ends, {@code /bye}, or a stop; returns the exit code. */
  int run(StopSignal stop) {
    ChatTurn turn = new ChatTurn(session);
    // a line or two ahead at most: the reader waits while the model answers
    BlockingQueue<Object> lines = new ArrayBlockingQueue<>(2);
    Thread main = Thread.currentThread();
    Thread reader = new Thread(() -> readLines(lines), "tinyllm-chat-input");
    reader.setDaemon(true);
    reader.start();
    stop.onStop(
        () -> {
          turn.cancel();
          main.interrupt();
        });
    int failures = 0;
    try {
      while (!stop.stopRequested()) {
        Object item = lines.take();
        if (item == END) {
          break;
        }
        if (item instanceof Failure failure) {
          err.println("tinyllm: " + failure.message());
          err.flush();
          return ExitCodes.FAILURE;
        }
        String line = ((String) item).strip();
        if (line.isEmpty()) {
          continue;
        }
        if (line.startsWith("/")) {
          if (session.command(line, out, err) == ChatSession.Next.END) {
            break;
          }
          continue;
        }
        ChatTurn.Outcome outcome =
            turn.run(
                line,
                token -> {
                  out.print(token);
                  out.flush();
                },
                message -> {
                  out.println();
                  out.flush();
                  err.println("tinyllm: " + message);
                  err.flush();
                });
        if (outcome == ChatTurn.Outcome.ANSWERED) {
          out.println();
          out.flush();
        } else if (outcome == ChatTurn.Outcome.FAILED) {
          failures++;
        }
      }
    } catch (InterruptedException e) {
      // the stop: the caller says so
    } finally {
      // the interrupt was the stop's; closing what the command opened must not see it
      Thread.interrupted();
      reader.interrupt();
    }
    return failures == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  private void readLines(BlockingQueue<Object> lines) {
    Reader reader = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
    try {
      for (int number = 1; ; number++) {
        String line = readLine(reader, number);
        if (line == null) {
          lines.put(END);
          return;
        }
        lines.put(line);
      }
    } catch (IOException e) {
      offer(lines, new Failure("reading stdin failed: " + e.getMessage()));
    } catch (UsageException e) {
      offer(lines, new Failure(e.getMessage()));
    } catch (InterruptedException e) {
      // the chat ended
    }
  }

  private static void offer(BlockingQueue<Object> lines, Failure failure) {
    try {
      lines.put(failure);
    } catch (InterruptedException e) {
      // the chat ended
    }
  }

  /** The next line without its end ({@code \n} or {@code \r\n}), or null at the end of input. */
  static String readLine(Reader reader, int number) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = reader.read()) != -1 && c != '\n') {
      if (line.length() >= ChatSession.MAX_MESSAGE_CHARS) {
        throw new UsageException(
            "line "
                + number
                + " of stdin: a message longer than "
                + ChatSession.MAX_MESSAGE_CHARS
                + " characters");
      }
      line.append((char) c);
    }
    if (c == -1 && line.length() == 0) {
      return null;
    }
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      line.setLength(end - 1);
    }
    return line.toString();
  }
}
