package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bound on {@link ProxyHttpServer}'s client connections: a place each, and when all are taken
 * the place of the connection idle the longest.
 *
 * <pre>{@code
 * if (places.take(0)) {
 *   places.add(connection); // ... served ...
 *   places.release(connection);
 * }
 * }</pre>
 */
final class ConnectionPlaces {
  /** How long the thread of a connection closed to make room has to give its place back. */
  private static final long HAND_OVER_SECONDS = 5;

  private final int max;
  private final Semaphore free;
  private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
  private final Object freed = new Object();
  private volatile boolean wanted;

  ConnectionPlaces(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive: " + max);
    }
    this.max = max;
    free = new Semaphore(max);
  }

  int max() {
    return max;
  }

  /** Places taken now. */
  int taken() {
    return max - free.availablePermits();
  }

  /**
   * Takes a place for a new connection: a free one, else the place of the connection idle the
   * longest, which is closed for it; false when every connection stayed busy for {@code
   * graceMillis}.
   */
  boolean take(long graceMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
    while (true) {
      if (free.tryAcquire()) {
        return true;
      }
      ClientConnection oldest = longestIdle();
      if (oldest != null && oldest.closeIfIdle()) {
        // its thread, blocked reading the next request, fails at once and gives its place back
        return free.tryAcquire(HAND_OVER_SECONDS, TimeUnit.SECONDS);
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      synchronized (freed) {
        wanted = true;
        // checked again under the lock, so a connection that turns idle now is not missed
        if (free.availablePermits() == 0 && longestIdle() == null) {
          freed.wait(left);
        }
      }
    }
  }

  /** Counts {@code connection} in the place it took. */
  void add(ClientConnection connection) {
    connections.add(requireNonNull(connection, "connection is null"));
  }

  /** Gives back the place of {@code connection} (null: a place taken but not used). */
  void release(ClientConnection connection) {
    if (connection != null) {
      connections.remove(connection);
    }
    free.release();
    wake();
  }

  /** A connection turned idle: a new connection waiting for a place may take its place. */
  void turnedIdle() {
    wake();
  }

  /** Connections waiting for a request now. */
  int idle() {
    int idle = 0;
    for (ClientConnection connection : connections) {
      idle += connection.idle() ? 1 : 0;
    }
    return idle;
  }

  /**
   * Waits until {@code count} connections wait for a request, at most {@code timeout}; woken as a
   * connection turns idle or ends.
   */
  boolean awaitIdle(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (freed) {
      while (true) {
        // asked for before the count is read: a connection that turns idle after that read wakes
        // this thread, under the lock it holds until it waits
        wanted = true;
        if (idle() == count) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(freed, left);
      }
    }
  }

  /** Ends every connection. */
  void endAll() {
    for (ClientConnection connection : connections) {
      connection.closed();
      connection.end();
    }
  }

  private ClientConnection longestIdle() {
    ClientConnection oldest = null;
    for (ClientConnection connection : connections) {
      if (connection.idle()
          && (oldest == null || connection.idleSince() - oldest.idleSince() < 0)) {
        oldest = connection;
      }
    }
    return oldest;
  }

  private void wake() {
    if (wanted) {
      synchronized (freed) {
        wanted = false;
        freed.notifyAll();
      }
    }
  }
}
