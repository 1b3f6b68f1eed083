package io.tinyllm.ollama;

import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Kept-alive connections per server, of the blocking streams or of the calls that do not stream
 * (the transport keeps one pool of each): at most {@link #MAX_PER_SERVER} each, the most recently
 * used first (the one least likely to have been closed by the server).
 */
final class ConnectionPool implements BlockingBody.Pool {
  /** The most idle connections kept per server. */
  static final int MAX_PER_SERVER = 16;

  private final Map<String, Deque<Http1Connection>> idle = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final Consumer<BlockingBody> onClosed;
  private volatile boolean closed;

  ConnectionPool(Consumer<BlockingBody> onClosed) {
    this.onClosed = onClosed;
  }

  @Override
  public Http1Connection take(String authority) {
    Deque<Http1Connection> connections = idle.get(authority);
    Http1Connection c = connections == null ? null : connections.pollFirst();
    if (c != null) {
      size.decrementAndGet();
    }
    return c;
  }

  @Override
  public void give(Http1Connection connection) {
    Deque<Http1Connection> connections =
        idle.computeIfAbsent(connection.authority(), a -> new ConcurrentLinkedDeque<>());
    if (closed || size.get() >= MAX_PER_SERVER * Math.max(1, idle.size())) {
      connection.close();
      return;
    }
    connections.addFirst(connection);
    size.incrementAndGet();
    while (connections.size() > MAX_PER_SERVER) {
      Http1Connection oldest = connections.pollLast();
      if (oldest == null) {
        break;
      }
      size.decrementAndGet();
      oldest.close();
    }
    if (closed) {
      closeAll(); // close() ran while this one was being added
    }
  }

  @Override
  public void closed(BlockingBody body) {
    onClosed.accept(body);
  }

  /** Idle connections kept, over all servers. */
  int size() {
    return size.get();
  }

  /** Closes every idle connection; connections given back later are closed too. */
  void closeAll() {
    closed = true;
    for (Deque<Http1Connection> connections : idle.values()) {
      for (Http1Connection c; (c = connections.pollFirst()) != null; ) {
        size.decrementAndGet();
        c.close();
      }
    }
  }
}
