package io.tinyllm.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 over a plain socket, for what java.net.http will not do: send hop-by-hop headers, read a
 * stream and then vanish mid-answer, or not read at all.
 */
final class RawHttp implements AutoCloseable {
  final Socket socket;

  RawHttp(URI base) {
    try {
      socket = new Socket(base.getHost(), base.getPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code head} (request line and headers, CRLF-separated, without the blank line). */
  RawHttp send(String head, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String request = head + "\r\nContent-Length: " + bytes.length + "\r\n\r\n";
    try {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Reads until {@code marker} went by, at most {@code max} bytes; returns what was read. */
  String readUntil(String marker, int max) {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    try {
      InputStream in = socket.getInputStream();
      while (seen.size() < max) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        seen.write(b);
        if (seen.toString(StandardCharsets.ISO_8859_1).endsWith(marker)) {
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return seen.toString(StandardCharsets.UTF_8);
  }

  /** Reads the rest, until the server closes the connection. */
  String readAll() {
    try {
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
