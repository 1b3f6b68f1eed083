package io.tinyllm.ollama;

import io.tinyllm.api.error.CancelledException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One call that does not stream, to a plain-HTTP server, made on the calling thread over an {@link
 * Http1Connection} taken from the transport's pool (or opened) and given back once its answer was
 * read to the end. The request timeout covers the whole exchange: every read waits at most the time
 * left. An interrupt of the calling thread closes the connection and ends the call with a {@link
 * CancelledException}, as the JDK {@code HttpClient}'s future does for a caller interrupted while
 * it waits. Failures take the JDK client's shapes ({@link ConnectException}, {@link
 * HttpConnectTimeoutException}) so that {@link OllamaErrors} maps both alike. Sending the request
 * is not timed (a socket write has no timeout); Ollama reads a request before it answers.
 *
 * <p>A kept connection the server ended while it was idle is left for a fresh one before anything
 * is written. One that fails at the write goes the same way: nothing reached the server. One that
 * fails after the request went out, with no answer, is retried on a fresh connection only for a
 * request that may be sent twice (GET, HEAD): a POST the server may have read and started work on
 * fails the call, as Go's and the JDK's clients do, so that a retry is the caller's and is counted.
 */
final class Http1Exchange {
  /** What a cancelled call says, the same on every path. */
  static final String INTERRUPTED = "Interrupted while waiting for Ollama";

  private Http1Exchange() {}

  /** Status and body of an answer. */
  record Answer(int status, String body) {}

  /** Where connections come from and go back to. */
  interface Pool {
    /** A kept-alive connection to {@code authority}, or null. */
    Http1Connection take(String authority);

    /** Keeps {@code connection}, whose last answer was read to its end, for a later call. */
    void give(Http1Connection connection);
  }

  /**
   * Sends {@code request} to {@code uri} and reads the whole answer of at most {@code maxBytes}.
   *
   * @param what the call, for the message of an answer over {@code maxBytes}
   * @throws ExecutionException wrapping the transport's failure, as the JDK client's future does
   * @throws TimeoutException if the answer is not complete within {@code requestTimeout}
   * @throws CancelledException if the calling thread is interrupted
   */
  static Answer exchange(
      Pool pool,
      OllamaRequest request,
      URI uri,
      Duration connectTimeout,
      Duration requestTimeout,
      int maxBytes,
      String what)
      throws ExecutionException, TimeoutException {
    if (Thread.currentThread().isInterrupted()) {
      throw new CancelledException(INTERRUPTED);
    }
    long deadline = System.nanoTime() + requestTimeout.toNanos();
    Http1Connection kept = live(pool, Http1Connection.authority(uri));
    if (kept != null) {
      int status = -1;
      try {
        kept.timeout(millis(remaining(deadline)));
        kept.write(request, uri);
      } catch (ClosedByInterruptException e) {
        kept.close();
        throw interrupted(e);
      } catch (IOException e) {
        // the server had ended the connection: nothing reached it, the request goes on a fresh one
        kept.close();
        kept = null;
      }
      if (kept != null) {
        try {
          status = kept.readHead();
        } catch (SocketTimeoutException e) {
          kept.close();
          throw timedOut(e);
        } catch (ClosedByInterruptException e) {
          kept.close();
          throw interrupted(e);
        } catch (IOException e) {
          kept.close();
          if (!request.replayable()) {
            // the server may have read it and started work: not sent again behind the caller's
            // back; the call fails, and a retry is the caller's, counted as one
            throw failed(e);
          }
        }
        if (status >= 0) {
          return answer(pool, kept, status, deadline, maxBytes, what);
        }
      }
    }
    Http1Connection fresh =
        Http1Connection.open(
            uri, Math.max(1, Math.min(connectTimeout.toNanos(), remaining(deadline))), true);
    int status;
    try {
      status = send(fresh, request, uri, deadline);
    } catch (IOException e) {
      fresh.close();
      throw failed(e);
    }
    return answer(pool, fresh, status, deadline, maxBytes, what);
  }

  /** A kept connection to {@code authority} the server has not ended meanwhile, or null. */
  private static Http1Connection live(Pool pool, String authority) {
    for (Http1Connection c; (c = pool.take(authority)) != null; ) {
      if (!c.endedWhileIdle()) {
        return c;
      }
      c.close();
    }
    return null;
  }

  private static int send(Http1Connection c, OllamaRequest request, URI uri, long deadline)
      throws IOException {
    c.timeout(millis(remaining(deadline)));
    return c.send(request, uri);
  }

  /** Reads the body of {@code status}'s answer from {@code c}, then keeps or closes {@code c}. */
  private static Answer answer(
      Pool pool, Http1Connection c, int status, long deadline, int maxBytes, String what)
      throws ExecutionException, TimeoutException {
    boolean kept = false;
    try {
      long declared = c.declaredLength();
      if (declared > maxBytes) {
        throw new ExecutionException(
            BoundedBody.tooLarge(maxBytes, what, ", Content-Length " + declared));
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(declared >= 0 ? (int) declared : 512);
      byte[] buffer = new byte[8192];
      while (true) {
        long left = remaining(deadline);
        if (left <= 0) {
          throw new TimeoutException("the answer took longer than the request timeout");
        }
        c.timeout(millis(left));
        int n = c.read(buffer, 0, buffer.length);
        if (n < 0) {
          break;
        }
        if (n > maxBytes - out.size()) {
          throw new ExecutionException(BoundedBody.tooLarge(maxBytes, what, ""));
        }
        out.write(buffer, 0, n);
      }
      if (c.reusable()) {
        pool.give(c);
        kept = true;
      }
      return new Answer(status, out.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw failed(e);
    } finally {
      if (!kept) {
        c.close();
      }
    }
  }

  /** {@code e} as this exchange reports it: a timeout, a cancellation or a failure. */
  private static ExecutionException failed(IOException e) throws TimeoutException {
    if (e instanceof SocketTimeoutException) {
      throw timedOut(e);
    }
    if (e instanceof ClosedByInterruptException interrupt) {
      throw interrupted(interrupt);
    }
    return new ExecutionException(e);
  }

  private static TimeoutException timedOut(IOException e) {
    TimeoutException timeout = new TimeoutException(e.getMessage());
    timeout.initCause(e);
    return timeout;
  }

  /** The call was interrupted: the channel was closed, the thread's interrupt flag stays set. */
  static CancelledException interrupted(ClosedByInterruptException e) {
    return new CancelledException(INTERRUPTED, e);
  }

  /**
   * A failure to connect ({@code SocketTimeoutException}, {@code UnknownHostException} or {@code
   * ConnectException}) in the shape the JDK's {@code HttpClient} gives it, wrapped as its future
   * would.
   */
  static ExecutionException connectFailure(IOException e) {
    if (e instanceof SocketTimeoutException) {
      return failure(new HttpConnectTimeoutException("HTTP connect timed out"), e);
    }
    if (e instanceof UnknownHostException) {
      // as the JDK's HttpClient reports it: no text, an UnresolvedAddressException as the cause
      ConnectException unresolved = new ConnectException();
      unresolved.addSuppressed(e);
      return failure(unresolved, new UnresolvedAddressException());
    }
    // the JDK's HttpClient reports a refused connection without text, which OllamaErrors words
    return e instanceof ConnectException && "Connection refused".equals(e.getMessage())
        ? failure(new ConnectException(), e)
        : new ExecutionException(e);
  }

  private static ExecutionException failure(Exception failure, Throwable cause) {
    failure.initCause(cause);
    return new ExecutionException(failure);
  }

  private static long remaining(long deadline) {
    return deadline - System.nanoTime();
  }

  /** At least 1 ms: 0 would mean no timeout at all. */
  static int millis(long nanos) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(nanos)));
  }
}
