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
 * One client connection of {@link ProxyHttpServer}: idle while its thread waits for a byte of the
 * next request's head (its socket timing out after the keep-alive timeout), busy while there is one
 * to read and from a request's head to the end of its answer (its body's reads timing out after the
 * same silence), closed once. Only an idle connection is closed to make room for a new one, and
 * only while no byte of a request waits to be read: a connection given a place with its request
 * already sent, or with pipelined requests, keeps it.
 */
final class ClientConnection extends DefaultBHttpServerConnection {
  private static final int IDLE = 0;
  private static final int BUSY = 1;
  private static final int CLOSED = 2;

  private final Timeout keepAlive;
  private final Runnable turnedIdle;
  private final AtomicInteger state = new AtomicInteger(BUSY);
  private volatile long idleSince;
  private volatile Socket socket;
  // read and written on the connection's own thread only
  private boolean readingHead;
  private long headDeadline;

  /** A connection that waits {@code keepAlive} for a request, and tells {@code turnedIdle}. */
  ClientConnection(Http1Config http1, Duration keepAlive, Runnable turnedIdle) {
    super("http", http1);
    this.keepAlive = Timeout.of(requireNonNull(keepAlive, "keepAlive is null"));
    this.turnedIdle = requireNonNull(turnedIdle, "turnedIdle is null");
  }

  /**
   * Starts reading the next request's head: the connection is idle whenever it waits for a byte of
   * it (not while one is there to read); false when it was closed.
   */
  boolean waitForRequest() {
    setSocketTimeout(keepAlive);
    readingHead = true;
    headDeadline = 0; // set by the head's first byte
    idleSince = System.nanoTime();
    return state.get() != CLOSED;
  }

  @Override
  protected void onRequestReceived(ClassicHttpRequest request) {
    if (state.get() == CLOSED) {
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
    this.socket = socket;
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

  /**
   * Idle, and no byte has come since its thread began to wait: one that just came is about to be
   * read, and the connection to turn busy; closed now, it would lose that request.
   */
  boolean idleWithNothingToRead() {
    if (!idle()) {
      return false;
    }
    Socket bound = socket;
    try {
      return bound == null || bound.getInputStream().available() == 0;
    } catch (IOException e) {
      return true; // closed: nothing will be read
    }
  }

  /** When it began to wait for its next request, in {@link System#nanoTime()}. */
  long idleSince() {
    return idleSince;
  }

  /**
   * Closes the connection if it is idle with nothing to read; false if it is not (any more), or its
   * request has arrived.
   */
  boolean closeIfIdle() {
    if (!idleWithNothingToRead() || !state.compareAndSet(IDLE, CLOSED)) {
      return false;
    }
    // the input shut, not the socket closed: its thread, blocked reading the next request, reads
    // the end and closes as after any last request, with a FIN; a reset (an immediate close) could
    // destroy the last answer before the client read it
    Socket bound = socket;
    try {
      if (bound == null) {
        end();
      } else {
        bound.shutdownInput();
      }
    } catch (IOException e) {
      end();
    }
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
      if (in.available() == 0 && state.compareAndSet(BUSY, IDLE)) {
        turnedIdle.run(); // waiting for the client now
      }
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        if (state.compareAndExchange(IDLE, BUSY) == CLOSED) {
          // closed to make room as these bytes came: the request goes nowhere
          throw new SocketException("closed to make room");
        }
        if (headDeadline == 0) {
          headDeadline = System.nanoTime() + keepAlive.toNanoseconds();
        }
      }
      return n;
    }
  }
}
