package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpServerConnection;
import org.apache.hc.core5.http.impl.io.SocketHolder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * One client connection of {@link ProxyHttpServer}: idle while it waits for a request (its socket
 * timing out after the keep-alive timeout), busy from a request's head to the end of its answer
 * (its body's reads timing out after the same silence), closed once. Only an idle connection is
 * closed to make room for a new one.
 */
final class ClientConnection extends DefaultBHttpServerConnection {
  private static final int IDLE = 0;
  private static final int BUSY = 1;
  private static final int CLOSED = 2;

  private final Timeout keepAlive;
  private final Runnable turnedIdle;
  private final AtomicInteger state = new AtomicInteger(BUSY);
  private volatile long idleSince;
  // read and written on the connection's own thread only
  private boolean readingHead;
  private long headDeadline;

  /** A connection that waits {@code keepAlive} for a request, and tells {@code turnedIdle}. */
  ClientConnection(Http1Config http1, Duration keepAlive, Runnable turnedIdle) {
    super("http", http1);
    this.keepAlive = Timeout.of(requireNonNull(keepAlive, "keepAlive is null"));
    this.turnedIdle = requireNonNull(turnedIdle, "turnedIdle is null");
  }

  /** Marks the connection idle until its next request's head; false when it was closed. */
  boolean waitForRequest() {
    setSocketTimeout(keepAlive);
    readingHead = true;
    headDeadline = 0; // set by the head's first byte
    idleSince = System.nanoTime();
    if (!state.compareAndSet(BUSY, IDLE)) {
      return false;
    }
    turnedIdle.run();
    return true;
  }

  @Override
  protected void onRequestReceived(ClassicHttpRequest request) {
    if (!state.compareAndSet(IDLE, BUSY)) {
      // closed to make room just as this request came: it goes nowhere, not even upstream
      throw new UncheckedIOException(new SocketException("closed to make room"));
    }
    readingHead = false;
    // a request body silent for longer than this between two reads ends the exchange (a client
    // holding a place with a trickled body); nothing reads the client while its answer goes out,
    // so the answer itself has no time limit
    setSocketTimeout(keepAlive);
  }

  @Override
  public void bind(Socket socket) throws IOException {
    bind(
        new SocketHolder(socket) {
          @Override
          protected InputStream getInputStream(Socket socket) throws IOException {
            return new HeadDeadline(socket, super.getInputStream(socket));
          }
        });
  }

  boolean idle() {
    return state.get() == IDLE;
  }

  /** When it went idle, in {@link System#nanoTime()}. */
  long idleSince() {
    return idleSince;
  }

  /** Closes the connection if it is idle; false if it is not (any more). */
  boolean closeIfIdle() {
    if (!state.compareAndSet(IDLE, CLOSED)) {
      return false;
    }
    end();
    return true;
  }

  /** Marks the connection closed, so it is never taken for idle again. */
  void closed() {
    state.set(CLOSED);
  }

  /** Closes the socket at once: a thread blocked on it fails. */
  void end() {
    close(CloseMode.IMMEDIATE);
  }

  /** The socket's input, reads of a request head bounded by the head's deadline. */
  private final class HeadDeadline extends FilterInputStream {
    private final Socket socket;

    HeadDeadline(Socket socket, InputStream in) {
      super(in);
      this.socket = socket;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (!readingHead) {
        return in.read(buffer, offset, length);
      }
      if (headDeadline != 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(headDeadline - System.nanoTime());
        if (left <= 0) {
          throw new SocketTimeoutException(
              "request head not whole within " + keepAlive + " of its first byte");
        }
        socket.setSoTimeout((int) Math.min(left, keepAlive.toMilliseconds()));
      }
      int n = in.read(buffer, offset, length);
      if (n > 0 && headDeadline == 0) {
        headDeadline = System.nanoTime() + keepAlive.toNanoseconds();
      }
      return n;
    }
  }
}
