package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
  private final ServerSocket listener = new ServerSocket();
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
    awaitIdle(idle, true);

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
    client = new Socket(listener.getInetAddress(), listener.getLocalPort());
    client.setSoTimeout(10_000);
    accepted = listener.accept();
    ClientConnection connection =
        new ClientConnection(Http1Config.DEFAULT, Duration.ofSeconds(30), places::turnedIdle);
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

  /** Waits up to 10 s for {@code connection} to be idle, or not. */
  private static void awaitIdle(ClientConnection connection, boolean idle)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (connection.idle() != idle && System.nanoTime() < deadline) {
      Thread.sleep(1); // polling a condition, bounded above
    }
    assertThat(connection.idle()).as("idle").isEqualTo(idle);
  }

  /** Waits up to 10 s for bytes to read on {@code socket}. */
  private static void awaitAvailable(Socket socket) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (socket.getInputStream().available() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(1); // polling a condition, bounded above
    }
    assertThat(socket.getInputStream().available()).as("bytes to read").isPositive();
  }
}
