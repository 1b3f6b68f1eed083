package io.tinyllm.benchmarks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.util.Locale;

/**
 * The floor as issue #19 words it, "read a chunk, write it, flush": like {@link BareForwarder}, but
 * answers go on one HTTP chunk at a time. Requests are copied as they arrive; each answer's head is
 * read, then each chunk of a chunked body is read whole (from a buffer filled by as few reads as
 * the socket allows) and written with one write, the head with the first. No JSON, no metrics, no
 * header rewriting: what any HTTP proxy that flushes every chunk does at the least. {@link
 * BareForwarder}, which passes a burst of chunks on in one write, is below this floor whenever the
 * chunks arrive together.
 *
 * <p>Child process: {@code ChunkForwarder <upstream URI>}; prints {@code chunk forwarder listening
 * on <URI>} and ends when its standard input closes.
 */
public final class ChunkForwarder {
  static final String READY = "chunk forwarder listening on ";

  /** The longest answer head or chunk-size line read; the simulator's are far shorter. */
  private static final int MAX_HEAD = 64 * 1024;

  private ChunkForwarder() {}

  public static void main(String[] args) throws IOException {
    BareForwarder.serve(
        URI.create(args[0]),
        READY,
        (client, origin) -> {
          start("chunk-forwarder-requests", () -> copy(client, origin));
          start("chunk-forwarder-answers", () -> answers(origin, client));
        });
  }

  private interface Pipe {
    void run() throws IOException;
  }

  private static void start(String name, Pipe pipe) {
    Thread thread =
        new Thread(
            () -> {
              try {
                pipe.run();
              } catch (IOException e) {
                // the other side went away: this direction ends
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Requests: what arrives, written on at once. */
  private static void copy(Socket from, Socket to) throws IOException {
    byte[] buffer = new byte[16 * 1024];
    try (from;
        to;
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
    }
  }

  /** Answers, one after another on the connection: a write per chunk. */
  private static void answers(Socket from, Socket to) throws IOException {
    try (from;
        to;
        InputStream in = new BufferedInputStream(from.getInputStream(), 16 * 1024);
        OutputStream out = to.getOutputStream()) {
      ByteArrayOutputStream frame = new ByteArrayOutputStream(16 * 1024);
      byte[] buffer = new byte[16 * 1024];
      while (true) {
        frame.reset();
        long length = -1;
        boolean chunked = false;
        // the head, line by line, up to its empty line
        for (int lines = 0; ; lines++) {
          String line = readLine(in, frame, lines == 0);
          if (line == null) {
            return; // the upstream closed between answers
          }
          if (line.isEmpty()) {
            break;
          }
          String lower = line.toLowerCase(Locale.ROOT);
          if (lower.startsWith("content-length:")) {
            length = Long.parseLong(lower.substring(15).trim());
          } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
            chunked = true;
          }
        }
        if (chunked) {
          while (true) {
            String size = readLine(in, frame, false);
            int semicolon = size.indexOf(';');
            long bytes =
                Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (bytes == 0) {
              while (!readLine(in, frame, false).isEmpty()) {
                // trailer fields, up to the empty line
              }
              frame.writeTo(out);
              out.flush();
              break;
            }
            copyExactly(in, frame, bytes + 2, buffer); // the data and its CRLF
            frame.writeTo(out);
            out.flush();
            frame.reset();
          }
        } else if (length >= 0) {
          frame.writeTo(out);
          for (long left = length; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
              throw new EOFException("the upstream closed inside an answer");
            }
            out.write(buffer, 0, n);
            left -= n;
          }
          out.flush();
        } else {
          frame.writeTo(out); // no length: the body runs to the close
          for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            out.flush();
          }
          return;
        }
      }
    }
  }

  /**
   * One line, appended to {@code frame} with its line end, returned without it; null at the end of
   * the stream before any byte when {@code endAllowed}.
   */
  private static String readLine(InputStream in, ByteArrayOutputStream frame, boolean endAllowed)
      throws IOException {
    StringBuilder line = new StringBuilder();
    for (int count = 0; count < MAX_HEAD; count++) {
      int b = in.read();
      if (b < 0) {
        if (endAllowed && count == 0) {
          return null;
        }
        throw new EOFException("the upstream closed inside an answer's framing");
      }
      frame.write(b);
      if (b == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r'
            ? line.substring(0, end - 1)
            : line.toString();
      }
      line.append((char) b);
    }
    throw new IOException("a line of an answer's framing over " + MAX_HEAD + " bytes");
  }

  private static void copyExactly(
      InputStream in, ByteArrayOutputStream frame, long bytes, byte[] buffer) throws IOException {
    for (long left = bytes; left > 0; ) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new EOFException("the upstream closed inside a chunk");
      }
      frame.write(buffer, 0, n);
      left -= n;
    }
  }
}
