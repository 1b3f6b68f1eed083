package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.concurrent.AwaitableCount;
import io.tinyllm.api.concurrent.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpServerConnection;

/**
 * The new connections of {@link ProxyHttpServer} that found no place at once. Each waits on a
 * thread of its own, at most the grace period, for a place (a connection that turns idle or ends);
 * failing that it is answered 503 naming the setting, and its output is shut at once, so the client
 * has the whole answer and its end without waiting. At most {@code maxWaiting} wait at once, so a
 * flood is answered in parallel, each within about the grace period; one beyond them is closed
 * without an answer and counted.
 *
 * <p>The socket of a 503 then stays open {@value #LINGER_MILLIS} ms before it closes, so a request
 * the client is still sending does not reset the connection before the client read its answer; a
 * scheduled task closes it, not the thread that waited. As a 503 comes only after the whole grace
 * period on one of {@code maxWaiting} threads, at most {@code maxWaiting * LINGER / grace} sockets
 * (640 by default) linger at once.
 *
 * <pre>{@code
 * Refusals refusals = new Refusals(places, socket -> open(socket), metrics, Duration.ofMillis(100), 64);
 * refusals.refuse(socket); // returns at once
 * }</pre>
 */
final class Refusals implements AutoCloseable {
  /** Serves a socket that got a place; on failure, gives the place back itself. */
  @FunctionalInterface
  interface Opener {
    void open(Socket socket) throws IOException;
  }

  /** How long a refused connection waits for a place before its 503, by default. */
  static final Duration GRACE = Duration.ofMillis(100);

  /** Refused connections waiting at once by default; beyond, closed without an answer. */
  static final int MAX_WAITING = 64;

  /** How long the socket of a 503 stays open for the client to take its answer. */
  private static final long LINGER_MILLIS = 1000;

  /** What is read (and dropped) of a refused client's request before its socket closes. */
  private static final int LINGER_BYTES = 64 * 1024;

  private final ConnectionPlaces places;
  private final Opener opener;
  private final ProxyMetrics metrics;
  private final long graceMillis;
  // one per refused connection from its arrival until its thread is done with it
  private final Semaphore slots;
  // refused connections in their grace period now; changed once per refusal, so a monitor is cheap
  private int inGrace; // guarded by this
  private final ThreadPoolExecutor threads;
  private final ScheduledThreadPoolExecutor closer;
  private final Set<Socket> lingering = ConcurrentHashMap.newKeySet();
  private final AwaitableCount pending = new AwaitableCount();

  Refusals(
      ConnectionPlaces places,
      Opener opener,
      ProxyMetrics metrics,
      Duration grace,
      int maxWaiting) {
    this.places = requireNonNull(places, "places is null");
    this.opener = requireNonNull(opener, "opener is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.graceMillis = requireNonNull(grace, "grace is null").toMillis();
    if (maxWaiting < 1) {
      throw new IllegalArgumentException("maxWaiting must be positive: " + maxWaiting);
    }
    slots = new Semaphore(maxWaiting);
    // a thread for every refusal that may wait, so none waits behind another; the semaphore keeps
    // the tasks at most maxWaiting, so the queue only bridges a thread that is finishing its last
    threads =
        new ThreadPoolExecutor(
            maxWaiting,
            maxWaiting,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(maxWaiting),
            DaemonThreads.named("tinyllm-proxy-refuse-"));
    threads.allowCoreThreadTimeOut(true);
    closer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("tinyllm-proxy-linger-"));
    closer.setRemoveOnCancelPolicy(true);
  }

  /**
   * Answers {@code socket} on a thread of its own: a place if one frees within the grace period,
   * else 503; closed at once without an answer when {@code maxWaiting} already wait. Returns at
   * once.
   */
  void refuse(Socket socket) {
    if (!slots.tryAcquire()) {
      metrics.connectionRefusedUnanswered(); // counted before the close the client sees
      ServerAnswers.closeQuietly(socket);
      return;
    }
    pending.increment();
    try {
      threads.execute(new Refusal(socket));
    } catch (RejectedExecutionException e) { // closing
      slots.release();
      closeNow(socket);
    }
  }

  /** Refused connections waiting for a place now, each on its thread. */
  synchronized int waiting() {
    return inGrace;
  }

  /**
   * Waits until exactly {@code count} refused connections wait for a place, at most {@code
   * timeout}; true when they did. Woken by each refusal that begins or ends its wait.
   */
  synchronized boolean awaitWaiting(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inGrace != count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  private synchronized void graceChanged(int by) {
    inGrace += by;
    notifyAll();
  }

  /**
   * Waits until every refused connection was given a place or closed, at most {@code timeout}; true
   * when none was left. A 503's socket counts until it closed, {@value #LINGER_MILLIS} ms after.
   */
  boolean awaitEnded(Duration timeout) throws InterruptedException {
    return pending.awaitZero(timeout);
  }

  /** Ends every refusal: waiting ones and lingering sockets are closed. */
  @Override
  public void close() {
    for (Runnable never : threads.shutdownNow()) {
      if (never instanceof Refusal refusal) {
        closeNow(refusal.socket);
      }
    }
    closer.shutdownNow();
    for (Socket socket : lingering) {
      closeLingering(socket);
    }
  }

  /** One refused connection, on a thread of {@link #threads}. */
  private final class Refusal implements Runnable {
    private final Socket socket;

    Refusal(Socket socket) {
      this.socket = socket;
    }

    @Override
    public void run() {
      try {
        boolean placed;
        graceChanged(1);
        try {
          placed = places.take(graceMillis);
        } finally {
          graceChanged(-1);
        }
        if (placed) {
          pending.decrement(); // served from here, and counted as such
          opener.open(socket);
        } else {
          answer503(socket);
        }
      } catch (IOException e) {
        ServerAnswers.closeQuietly(socket);
      } catch (InterruptedException e) { // closing
        Thread.currentThread().interrupt();
        closeNow(socket);
      } finally {
        slots.release();
      }
    }
  }

  /** Writes the 503 and shuts the output; the socket itself closes later. */
  private void answer503(Socket socket) {
    lingering.add(socket); // before the client can read its answer: a close from now on ends it
    try {
      DefaultBHttpServerConnection connection =
          new DefaultBHttpServerConnection("http", Http1Config.DEFAULT);
      connection.bind(socket);
      ClassicHttpResponse response =
          ServerAnswers.error(
              503,
              "the proxy serves "
                  + places.max()
                  + " connections at once and all are in an exchange; try again, or raise its"
                  + " limit (setting '"
                  + ProxyConfig.MAX_CONCURRENT
                  + "', --max-concurrent)");
      // a few hundred bytes into a new connection's empty send buffer: this does not block
      connection.sendResponseHeader(response);
      connection.sendResponseEntity(response);
      connection.flush();
      socket.shutdownOutput();
      metrics.connectionRefused503();
    } catch (IOException | HttpException e) {
      closeLingering(socket); // the client is gone already
      return;
    }
    try {
      closer.schedule(() -> closeLingering(socket), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) { // closing
      closeLingering(socket);
    }
  }

  /**
   * Closes a lingering socket once (from its scheduled task, or on close), after reading what the
   * client sent that can be read without waiting: unread bytes would make the close a reset.
   */
  private void closeLingering(Socket socket) {
    if (!lingering.remove(socket)) {
      return;
    }
    try {
      InputStream in = socket.getInputStream();
      byte[] dropped = new byte[4096];
      int total = 0;
      int available;
      while (total < LINGER_BYTES && (available = in.available()) > 0) {
        int n = in.read(dropped, 0, Math.min(available, dropped.length));
        if (n < 0) {
          break;
        }
        total += n;
      }
    } catch (IOException ignored) {
      // reset by the client: closed either way
    }
    closeNow(socket);
  }

  private void closeNow(Socket socket) {
    ServerAnswers.closeQuietly(socket);
    pending.decrement();
  }
}
