package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.config.Http1Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bound on the proxy's client connections: which connection is idle, and how a place passes
 * from a connection closed to make room to the new one that closed it.
 */
class ConnectionPlacesTest {
  private final ConnectionPlaces places = new ConnectionPlaces(1);
  // a channel's, so a test can wait for a request's bytes with a selector
  private final ServerSocketChannel listener = ServerSocketChannel.open();
  // counted down when the connection turns idle (its thread waits for a byte)
  private final CountDownLatch turnedIdle = new CountDownLatch(1);
  private Socket client;
  private Socket accepted;

  ConnectionPlacesTest() throws IOException {
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterEach
  void close() throws IOException {
    for (AutoCloseable closeable : new AutoCloseable[] {client, accepted, listener}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception ignored) {
        // closing anyway
      }
    }
  }

  @Test
  void theIdleConnectionClosedToMakeRoomHandsItsPlaceToTheOneThatClosedIt() throws Exception {
    ClientConnection idle = placed();
    CompletableFuture<ClassicHttpRequest> read = readRequest(idle);
    assertThat(turnedIdle.await(10, TimeUnit.SECONDS)).as("turned idle").isTrue();
    assertThat(idle.idle()).isTrue();

    CompletableFuture<Boolean> taken = takeOnAnotherThread();
    // its thread, waiting for a request, reads the end of the input and gives its place back;
    // another new connection asking now must not get it ahead of the one that closed it
    assertThat(read.get(10, TimeUnit.SECONDS)).as("the end of the input, no request").isNull();
    idle.close(); // as its thread does then
    places.release(idle);
    assertThat(places.take(0)).as("a place for another new connection").isFalse();
    assertThat(taken.get(10, TimeUnit.SECONDS)).as("the place handed over").isTrue();
    assertThat(places.taken()).isEqualTo(1);
    assertThat(client.getInputStream().read()).as("closed with a FIN, not a reset").isEqualTo(-1);
  }

  @Test
  void aConnectionWhoseRequestCameButIsNotReadYetIsNotIdle() throws Exception {
    // as a new connection given a place after it waited for one, its request sent meanwhile
    ClientConnection waited = placed();
    send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    awaitAvailable(accepted);
    assertThat(waited.waitForRequest()).isTrue();
    assertThat(places.take(0)).as("no place: the connection's request is here").isFalse();
    assertThat(waited.receiveRequestHeader().getPath()).isEqualTo("/x");
    assertThat(waited.idle()).isFalse();
  }

  /** A connection to the listener, bound and counted in a place of its own. */
  private ClientConnection placed() throws Exception {
    assertThat(places.take(0)).isTrue();
    InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
    client = new Socket(address.getAddress(), address.getPort());
    client.setSoTimeout(10_000);
    accepted = listener.accept().socket();
    ClientConnection connection =
        new ClientConnection(
            Http1Config.DEFAULT,
            Duration.ofSeconds(30),
            () -> {
              places.turnedIdle();
              turnedIdle.countDown();
            });
    connection.bind(accepted);
    places.add(connection);
    return connection;
  }

  /** Reads the next request head of {@code connection} on a thread of its own. */
  private static CompletableFuture<ClassicHttpRequest> readRequest(ClientConnection connection) {
    assertThat(connection.waitForRequest()).isTrue();
    CompletableFuture<ClassicHttpRequest> read = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                read.complete(connection.receiveRequestHeader());
              } catch (Exception e) {
                read.completeExceptionally(e);
              }
            });
    reader.setDaemon(true);
    reader.start();
    return read;
  }

  private CompletableFuture<Boolean> takeOnAnotherThread() {
    CompletableFuture<Boolean> taken = new CompletableFuture<>();
    Thread taker =
        new Thread(
            () -> {
              try {
                taken.complete(places.take(10_000));
              } catch (InterruptedException e) {
                taken.completeExceptionally(e);
              }
            });
    taker.setDaemon(true);
    taker.start();
    return taken;
  }

  private void send(String text) throws IOException {
    OutputStream out = client.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Waits up to 10 s for bytes to read on {@code socket} (a channel's), without reading them. */
  private static void awaitAvailable(Socket socket) throws IOException {
    SocketChannel channel = socket.getChannel();
    channel.configureBlocking(false);
    try (Selector selector = Selector.open()) {
      channel.register(selector, SelectionKey.OP_READ);
      assertThat(selector.select(10_000)).as("bytes to read").isPositive();
    }
    // closing the selector deregistered the channel: blocking reads may go on
    channel.configureBlocking(true);
  }
}
