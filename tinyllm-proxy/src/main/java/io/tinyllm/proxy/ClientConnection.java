package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.io.UncheckedIOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpServerConnection;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * One client connection of {@link ProxyHttpServer}: idle while it waits for a request (its socket
 * timing out after the keep-alive timeout), busy from a request's head to the end of its answer,
 * closed once. Only an idle connection is closed to make room for a new one.
 */
final class ClientConnection extends DefaultBHttpServerConnection {
  private static final int IDLE = 0;
  private static final int BUSY = 1;
  private static final int CLOSED = 2;

  private final Timeout keepAlive;
  private final Runnable turnedIdle;
  private final AtomicInteger state = new AtomicInteger(BUSY);
  private volatile long idleSince;

  /** A connection that waits {@code keepAlive} for a request, and tells {@code turnedIdle}. */
  ClientConnection(Http1Config http1, Duration keepAlive, Runnable turnedIdle) {
    super("http", http1);
    this.keepAlive = Timeout.of(requireNonNull(keepAlive, "keepAlive is null"));
    this.turnedIdle = requireNonNull(turnedIdle, "turnedIdle is null");
  }

  /** Marks the connection idle until its next request's head; false when it was closed. */
  boolean waitForRequest() {
    setSocketTimeout(keepAlive);
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
    setSocketTimeout(Timeout.DISABLED); // a request in progress has no time limit
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
}
