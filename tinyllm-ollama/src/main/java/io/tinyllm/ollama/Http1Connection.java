package io.tinyllm.ollama;

import io.tinyllm.api.error.CancelledException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutionException;

/**
 * One plain HTTP/1.1 connection over a blocking socket, read by one thread at a time, for the calls
 * to plain-HTTP servers: streamed answers ({@link BlockingBody}) and whole ones ({@link
 * Http1Exchange}). Not {@code HttpURLConnection}: its body streams lock each read and its {@code
 * disconnect()} takes the same lock (and may drain the body first), so another thread cannot end a
 * read that waits on a quiet server, and its read timeout is fixed once connected. Here {@link
 * #close()} from any thread ends a blocked read at once, and each read's timeout is the socket's,
 * which may change between reads. Bodies may be chunked, of a declared length, or end with the
 * connection; every line of the head is bounded.
 */
final class Http1Connection implements AutoCloseable {
  /** The longest line of an answer's head (status, a header, a chunk size) accepted. */
  static final int MAX_HEAD_LINE = 8 * 1024;

  /** The most header lines accepted. */
  static final int MAX_HEADERS = 128;

  private final Socket socket;
  private final InputStream in;
  // what was read from the socket and not yet used: buffer[position, limit)
  private final byte[] buffer = new byte[BlockingBody.READ_BYTES];
  private int position;
  private int limit;
  private final byte[] lineBytes = new byte[MAX_HEAD_LINE];
  private final OutputStream out;
  private final String authority;
  private int timeoutMillis = -1;
  // the answer being read
  private boolean chunked;
  private long remaining; // of the current chunk, or of a declared length; -1: until close
  private boolean keepAlive;
  private boolean bodyEnded;
  private long declaredLength;

  private Http1Connection(Socket socket, String authority) throws IOException {
    this.socket = socket;
    this.authority = authority;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /**
   * Connects to {@code uri}'s server over a plain {@link Socket}, whose reads an interrupt does not
   * end (streams end theirs by {@link #close()}). Failures come wrapped in the JDK {@code
   * HttpClient}'s shapes ({@link Http1Exchange#connectFailure}) so {@link OllamaErrors} maps them
   * alike.
   */
  static Http1Connection open(URI uri, long connectTimeoutNanos) throws ExecutionException {
    return open(uri, connectTimeoutNanos, false);
  }

  /**
   * As {@link #open(URI, long)}; if {@code interruptible}, over a {@link SocketChannel}'s socket,
   * so that interrupting the thread blocked in connecting or reading closes the connection and ends
   * the call with a {@link CancelledException}, as the JDK client's future does when its waiting
   * caller is interrupted.
   */
  static Http1Connection open(URI uri, long connectTimeoutNanos, boolean interruptible)
      throws ExecutionException {
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    Socket socket;
    try {
      socket = interruptible ? SocketChannel.open().socket() : new Socket();
    } catch (IOException e) {
      throw new ExecutionException(e);
    }
    try {
      socket.setTcpNoDelay(true);
      InetSocketAddress address = new InetSocketAddress(uri.getHost(), port);
      if (address.isUnresolved()) {
        throw new UnknownHostException(uri.getHost());
      }
      socket.connect(address, Http1Exchange.millis(connectTimeoutNanos));
      return new Http1Connection(socket, authority(uri));
    } catch (ClosedByInterruptException e) {
      closeQuietly(socket);
      throw Http1Exchange.interrupted(e);
    } catch (SocketTimeoutException | UnknownHostException | ConnectException e) {
      closeQuietly(socket);
      throw Http1Exchange.connectFailure(e);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new ExecutionException(e);
    }
  }

  /** {@code host:port} of {@code uri}, which connections to it share. */
  static String authority(URI uri) {
    return uri.getHost() + ":" + (uri.getPort() < 0 ? 80 : uri.getPort());
  }

  String authority() {
    return authority;
  }

  /** How long each following read may wait; 0 means without end. */
  void timeout(int millis) throws IOException {
    if (millis != timeoutMillis) {
      socket.setSoTimeout(millis);
      timeoutMillis = millis;
    }
  }

  /**
   * Sends {@code request} to {@code uri} (on this connection's server), reads the answer's head and
   * returns its status; the body follows through {@link #read}.
   */
  int send(OllamaRequest request, URI uri) throws IOException {
    write(request, uri);
    return readHead();
  }

  /** Writes {@code request} to {@code uri} (on this connection's server). */
  void write(OllamaRequest request, URI uri) throws IOException {
    StringBuilder head = new StringBuilder(256);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    head.append(request.method()).append(' ').append(path);
    if (uri.getRawQuery() != null) {
      head.append('?').append(uri.getRawQuery());
    }
    head.append(" HTTP/1.1\r\nHost: ").append(uri.getHost());
    if (uri.getPort() >= 0) {
      head.append(':').append(uri.getPort());
    }
    head.append("\r\n");
    head.append("Accept: ").append(request.accept()).append("\r\n");
    if (request.contentType() != null) {
      head.append("Content-Type: ").append(request.contentType()).append("\r\n");
    }
    head.append("Content-Length: ").append(request.length()).append("\r\n\r\n");
    // one write, so head and body leave in one segment (no second small write for Nagle to hold)
    byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] bytes = Arrays.copyOf(headBytes, headBytes.length + request.length());
    if (request.body() != null) {
      System.arraycopy(request.body(), 0, bytes, headBytes.length, request.length());
    }
    out.write(bytes);
    out.flush();
  }

  /** Reads the answer's head and returns its status; the body follows through {@link #read}. */
  int readHead() throws IOException {
    String status = line();
    // HTTP/1.1 200 OK
    if (!status.startsWith("HTTP/1.") || status.length() < 12) {
      throw new IOException("not an HTTP/1.x status line: " + shorten(status));
    }
    int code;
    try {
      code = Integer.parseInt(status.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status line: " + shorten(status), e);
    }
    keepAlive = status.startsWith("HTTP/1.1");
    chunked = false;
    remaining = -1;
    bodyEnded = false;
    for (int i = 0; ; i++) {
      if (i == MAX_HEADERS) {
        throw new IOException("the answer has more than " + MAX_HEADERS + " header lines");
      }
      String header = line();
      if (header.isEmpty()) {
        break;
      }
      int colon = header.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      switch (name) {
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
        case "content-length" -> remaining = parseLength(value);
        case "connection" -> keepAlive &= !value.toLowerCase(Locale.ROOT).contains("close");
        default -> {}
      }
    }
    declaredLength = chunked ? -1 : remaining;
    if (chunked) {
      remaining = 0; // no chunk started yet
    } else if (remaining < 0) {
      keepAlive = false; // the body ends with the connection
    }
    if (code == 204 || code == 304 || (!chunked && remaining == 0)) {
      bodyEnded = true;
    }
    return code;
  }

  /**
   * Reads body bytes into {@code bytes}; -1 once the body ended.
   *
   * @throws SocketTimeoutException if nothing came within the {@link #timeout}
   */
  int read(byte[] bytes, int offset, int length) throws IOException {
    if (bodyEnded) {
      return -1;
    }
    if (chunked) {
      if (remaining == 0) {
        long size = chunkSize();
        if (size == 0) {
          // trailers, if any, then the blank line
          for (int i = 0; lineLength() != 0; i++) {
            if (i == MAX_HEADERS) {
              throw new IOException("the answer has more than " + MAX_HEADERS + " trailer lines");
            }
          }
          bodyEnded = true;
          return -1;
        }
        remaining = size;
      }
      int n = take(bytes, offset, (int) Math.min(length, remaining));
      if (n < 0) {
        throw new IOException("the connection closed inside a chunk of the answer");
      }
      remaining -= n;
      if (remaining == 0) {
        crlf();
      }
      return n;
    }
    if (remaining < 0) {
      int n = take(bytes, offset, length);
      if (n < 0) {
        bodyEnded = true;
      }
      return n;
    }
    int n = take(bytes, offset, (int) Math.min(length, remaining));
    if (n < 0) {
      throw new IOException(
          "the connection closed " + remaining + " bytes before the answer's end");
    }
    remaining -= n;
    if (remaining == 0) {
      bodyEnded = true;
    }
    return n;
  }

  /** The answer's {@code Content-Length}, or -1 if it declared none (chunked, or until close). */
  long declaredLength() {
    return declaredLength;
  }

  /**
   * Whether the server ended this kept-alive connection while it was idle (or sent what no request
   * asked for): checked without blocking before the connection is used again, as a client with a
   * reader on every idle connection would have seen it. Only a connection over a {@link
   * SocketChannel} can tell; for one over a plain socket it is false unless bytes were left over.
   */
  boolean endedWhileIdle() {
    if (position < limit) {
      return true;
    }
    SocketChannel channel = socket.getChannel();
    if (channel == null) {
      return false;
    }
    try {
      synchronized (channel.blockingLock()) {
        channel.configureBlocking(false);
        try {
          // 0: nothing to read, alive; -1: the server's end of stream; more: unasked-for bytes
          return channel.read(ByteBuffer.wrap(buffer, 0, 1)) != 0;
        } finally {
          channel.configureBlocking(true);
        }
      }
    } catch (IOException e) {
      return true; // reset, or closed: no use either way
    }
  }

  /** Whether the answer's body was read to its end and the server keeps the connection open. */
  boolean reusable() {
    return bodyEnded && keepAlive && !socket.isClosed();
  }

  /** Closes the socket; a read blocked on it in another thread ends at once. */
  @Override
  public void close() {
    closeQuietly(socket);
  }

  private long chunkSize() throws IOException {
    int n = lineLength();
    long size = 0;
    int digits = 0;
    for (int i = 0; i < n && lineBytes[i] != ';'; i++) { // chunk extensions are ignored
      int digit = Character.digit(lineBytes[i], 16);
      if (digit < 0) {
        if (lineBytes[i] == ' ' || lineBytes[i] == '\t') {
          continue;
        }
        throw new IOException("not a chunk size: " + shorten(line(n)));
      }
      if (++digits > 15) {
        throw new IOException("a chunk size too large: " + shorten(line(n)));
      }
      size = size * 16 + digit;
    }
    if (digits == 0) {
      throw new IOException("not a chunk size: " + shorten(line(n)));
    }
    return size;
  }

  private String line(int n) {
    return new String(lineBytes, 0, n, StandardCharsets.ISO_8859_1);
  }

  private void crlf() throws IOException {
    if (lineLength() != 0) {
      throw new IOException("a chunk of the answer does not end where its size says");
    }
  }

  private static long parseLength(String value) throws IOException {
    try {
      long length = Long.parseLong(value);
      if (length < 0) {
        throw new IOException("a negative Content-Length: " + value);
      }
      return length;
    } catch (NumberFormatException e) {
      throw new IOException("not a Content-Length: " + shorten(value), e);
    }
  }

  /** One line of the head, without its CRLF (a bare LF is accepted too). */
  private String line() throws IOException {
    return new String(lineBytes, 0, lineLength(), StandardCharsets.ISO_8859_1);
  }

  /** Reads one line into {@code lineBytes}, without its CRLF, and returns its length. */
  private int lineLength() throws IOException {
    int n = 0;
    while (true) {
      if (position == limit && fill() < 0) {
        throw new IOException("the connection closed in the answer's head");
      }
      byte b = buffer[position++];
      if (b == '\n') {
        break;
      }
      if (n == MAX_HEAD_LINE) {
        throw new IOException("a line of the answer's head is longer than " + MAX_HEAD_LINE);
      }
      lineBytes[n++] = b;
    }
    return n > 0 && lineBytes[n - 1] == '\r' ? n - 1 : n;
  }

  /** Up to {@code length} bytes, from what is buffered or else one read of the socket. */
  private int take(byte[] bytes, int offset, int length) throws IOException {
    if (position == limit) {
      if (length >= buffer.length) {
        return in.read(bytes, offset, length); // straight into the caller's array
      }
      if (fill() < 0) {
        return -1;
      }
    }
    int n = Math.min(length, limit - position);
    System.arraycopy(buffer, position, bytes, offset, n);
    position += n;
    return n;
  }

  private int fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    position = 0;
    limit = Math.max(n, 0);
    return n;
  }

  private static String shorten(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing is all that was wanted
    }
  }
}
