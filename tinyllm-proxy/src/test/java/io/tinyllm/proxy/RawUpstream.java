package io.tinyllm.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An upstream over a plain socket, for what an HTTP server library hides: each request head exactly
 * as it arrived (names in their case, in their order) goes to {@link #heads}, and every request is
 * answered with the same bytes, as written (names in the case the test chose). One connection at a
 * time, one request each.
 */
final class RawUpstream implements AutoCloseable {
  final BlockingQueue<String> heads = new LinkedBlockingQueue<>();
  private final ServerSocket listener;
  private final byte[] answer;
  private final Thread thread;

  RawUpstream(String answer) {
    this.answer = answer.getBytes(StandardCharsets.ISO_8859_1);
    try {
      listener = new ServerSocket();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    thread = new Thread(this::serve, "raw-upstream");
    thread.setDaemon(true);
    thread.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  private void serve() {
    while (!listener.isClosed()) {
      try (Socket socket = listener.accept()) {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        String head = head(in);
        heads.add(head);
        in.readNBytes(contentLength(head));
        socket.getOutputStream().write(answer);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        // closed, or a client that went away: the next connection
      }
    }
  }

  /** The request head up to its blank line, at most 64 KiB. */
  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (head.size() < 64 * 1024
        && !head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed in the head");
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring("content-length:".length()).strip());
      }
    }
    return 0;
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
