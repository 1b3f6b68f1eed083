package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
  // connections closed to make room, each to the one that closed it: its place goes to that one
  // alone, not back to the free places where another new connection could take it first
  private final Map<ClientConnection, HandOver> handOvers = new ConcurrentHashMap<>();
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
      if (oldest != null) {
        HandOver handOver = new HandOver();
        if (handOvers.putIfAbsent(oldest, handOver) == null) {
          if (oldest.closeIfIdle()) {
            // its thread, blocked reading the next request, fails at once and hands its place over
            return handOver.await();
          }
          // busy again, or ended on its own: its place may have been handed over all the same
          boolean handed = !handOver.abandon();
          handOvers.remove(oldest, handOver);
          if (handed) {
            return true;
          }
          continue;
        }
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
      HandOver handOver = handOvers.remove(connection);
      if (handOver != null && handOver.hand()) {
        return;
      }
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

  /** The connection idle the longest that may be closed for a new one; null when none may. */
  private ClientConnection longestIdle() {
    ClientConnection oldest = null;
    for (ClientConnection connection : connections) {
      // the socket is asked last, only of a connection that would be the oldest so far
      if (connection.idle()
          && !handOvers.containsKey(connection)
          && (oldest == null || connection.idleSince() - oldest.idleSince() < 0)
          && connection.idleWithNothingToRead()) {
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

  /**
   * The place of a connection closed to make room, on its way to the new connection that closed it:
   * handed over when the closed one's thread gives it back, or abandoned by the new one after
   * {@value #HAND_OVER_SECONDS} s (then it goes back to the free places), whichever comes first.
   */
  private static final class HandOver {
    private static final int WAITING = 0;
    private static final int HANDED = 1;
    private static final int ABANDONED = 2;

    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final CountDownLatch handed = new CountDownLatch(1);

    /** The place is given to the waiting new connection; false when it gave up waiting. */
    boolean hand() {
      if (!state.compareAndSet(WAITING, HANDED)) {
        return false;
      }
      handed.countDown();
      return true;
    }

    /** Gives up waiting; false when the place was handed over already (and is the caller's). */
    boolean abandon() {
      return state.compareAndSet(WAITING, ABANDONED);
    }

    /** Waits for the place; true when it was handed over. */
    boolean await() throws InterruptedException {
      try {
        return handed.await(HAND_OVER_SECONDS, TimeUnit.SECONDS) || !abandon();
      } catch (InterruptedException e) {
        if (!abandon()) {
          Thread.currentThread().interrupt();
          return true;
        }
        throw e;
      }
    }
  }
}
