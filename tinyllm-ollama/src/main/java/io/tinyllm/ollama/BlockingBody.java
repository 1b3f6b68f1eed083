package io.tinyllm.ollama;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A streamed answer read on the stream's own thread from a blocking {@link Http1Connection}, for
 * plain-HTTP servers: no thread of the JDK {@code HttpClient} reads the socket and hands each read
 * over, which cost about half of the client's CPU per token (docs/performance.md §5). An unread
 * socket stops the server through TCP flow control, so at most one read ({@link #READ_BYTES}) waits
 * in memory.
 *
 * <p>Each read waits at most what the caller allows (the socket's timeout, set per read), after
 * which {@link #pollRead} reports a timeout ({@code null}). {@link #cancel()} closes the socket
 * from the cancelling thread, which ends a blocked read. A body read to its end leaves its
 * connection in the transport's pool for the next call; any other ending closes it.
 */
final class BlockingBody implements StreamBody {
  /** The most bytes one read takes from the socket. */
  static final int READ_BYTES = 16 * 1024;

  /** After the final chunk, the most bytes read (and dropped) to reach the end for keep-alive. */
  static final int MAX_DISCARDED_BYTES = 64 * 1024;

  private static final Object TIMED_OUT = new Object();

  /** Where connections come from and go back to. */
  interface Pool extends Http1Exchange.Pool {
    /** The body ended (its connection went back or was closed). */
    void closed(BlockingBody body);
  }

  private final Pool pool;
  private final long openDeadline;
  private final byte[] bytes = new byte[READ_BYTES];
  private final ByteBuffer buffer = ByteBuffer.wrap(bytes);
  private final List<ByteBuffer> read = Collections.singletonList(buffer);
  private volatile Http1Connection connection;
  private volatile int status = -1;
  private volatile boolean cancelled;
  private volatile boolean closed;
  private volatile long bytesRead; // written by the reading thread only
  // the reading thread's state
  private Object pending; // what opening ended with, for the first poll: a Failure or TIMED_OUT
  private boolean ended;
  private boolean atEnd; // the body was read to its end

  /**
   * @param openTimeout how long connecting, sending and waiting for the headers may take in all,
   *     over every server tried
   */
  BlockingBody(Pool pool, Duration openTimeout) {
    this.pool = pool;
    this.openDeadline = System.nanoTime() + openTimeout.toNanos();
  }

  /**
   * Connects (or takes a kept-alive connection), sends {@code request} to {@code uri} and reads the
   * answer's head. A failure to reach the server is thrown (wrapped, in the JDK client's shapes),
   * so the caller may try another; any other failure, a timeout or a cancellation is what the first
   * {@link #pollRead} returns.
   */
  void open(OllamaRequest request, URI uri, Duration connectTimeout) throws ExecutionException {
    String authority = Http1Connection.authority(uri);
    Http1Connection kept = pool.take(authority);
    if (kept != null && send(kept, request, uri, true)) {
      return;
    }
    // none kept, or the server had closed the kept one before it read the request
    long left = openDeadline - System.nanoTime();
    Http1Connection fresh =
        Http1Connection.open(uri, Math.max(1, Math.min(connectTimeout.toNanos(), left)));
    send(fresh, request, uri, false);
  }

  /** Sends on {@code c}; false if {@code c} was kept alive and turned out closed by the server. */
  private boolean send(Http1Connection c, OllamaRequest request, URI uri, boolean kept) {
    connection = c;
    if (cancelled) {
      c.close(); // cancel() may have run before the connection was published
      pending = LineChannel.CANCELLED;
      return true;
    }
    try {
      c.timeout(Http1Exchange.millis(openDeadline - System.nanoTime()));
      status = c.send(request, uri);
      return true;
    } catch (SocketTimeoutException e) {
      c.close();
      pending = cancelled ? LineChannel.CANCELLED : TIMED_OUT;
      return true;
    } catch (IOException e) {
      c.close();
      if (cancelled) {
        pending = LineChannel.CANCELLED;
        return true;
      }
      if (kept) {
        return false;
      }
      pending = new LineChannel.Failure(e);
      return true;
    }
  }

  /** Records a failure of opening that ends the exchange (the last server could not be reached). */
  void fail(Throwable cause) {
    pending = new LineChannel.Failure(cause);
  }

  /** Whether {@link #cancel()} was called. */
  boolean cancelled() {
    return cancelled;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public Object pollRead(long timeoutNanos) {
    if (ended) {
      return null;
    }
    if (pending != null) {
      Object outcome = pending;
      pending = null;
      return end(outcome == TIMED_OUT ? null : outcome);
    }
    if (cancelled) {
      return end(LineChannel.CANCELLED);
    }
    int n;
    try {
      Http1Connection c = connection;
      c.timeout(Http1Exchange.millis(Math.max(TimeUnit.MILLISECONDS.toNanos(1), timeoutNanos)));
      n = c.read(bytes, 0, bytes.length);
    } catch (SocketTimeoutException e) {
      return end(cancelled ? LineChannel.CANCELLED : null);
    } catch (IOException e) {
      return end(cancelled ? LineChannel.CANCELLED : new LineChannel.Failure(e));
    }
    if (n < 0) {
      atEnd = true;
      return end(LineChannel.END);
    }
    bytesRead = bytesRead + n;
    buffer.clear().limit(n);
    return read;
  }

  /** Bytes read from the body so far. */
  long bytesRead() {
    return bytesRead;
  }

  @Override
  public void cancel() {
    cancelled = true;
    Http1Connection c = connection;
    if (c != null) {
      c.close();
    }
  }

  @Override
  public void discardRest() {
    Http1Connection c = connection;
    if (ended || c == null) {
      return;
    }
    // Ollama ends its body right after the final chunk: what is left is the chunked encoding's end
    try {
      for (long dropped = 0; dropped <= MAX_DISCARDED_BYTES; ) {
        int n = c.read(bytes, 0, bytes.length);
        if (n < 0) {
          atEnd = true;
          break;
        }
        dropped += n;
      }
    } catch (IOException e) {
      // the connection is closed by close()
    }
    end(LineChannel.END);
  }

  /**
   * Ends the exchange: a connection whose answer was read to its end goes back to the pool for the
   * next call; otherwise it is closed.
   */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    Http1Connection c = connection;
    try {
      if (c != null) {
        if (atEnd && !cancelled && c.reusable()) {
          pool.give(c);
        } else {
          c.close();
        }
      }
    } finally {
      pool.closed(this);
    }
  }

  private Object end(Object item) {
    ended = true;
    return item;
  }
}
