package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StaleConnectionTest {
  @Test
  void aKeptAliveConnectionTheBackendClosedIsReplacedWithoutTheClientSeeingIt() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    AtomicInteger requests = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread backend =
          new Thread(
              () -> {
                // answers one request per connection, says nothing of closing, then closes: as a
                // backend that restarted, or dropped a connection idle in the proxy's pool
                while (!server.isClosed()) {
                  try (Socket socket = server.accept()) {
                    connections.incrementAndGet();
                    if (readRequest(socket.getInputStream())) {
                      requests.incrementAndGet();
                      OutputStream out = socket.getOutputStream();
                      out.write(
                          ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                  + "Content-Length: 11\r\n\r\n{\"ok\":true}")
                              .getBytes(StandardCharsets.US_ASCII));
                      out.flush();
                    }
                  } catch (IOException e) {
                    // the server socket closed: the test is over
                  }
                }
              },
              "closing-backend");
      backend.setDaemon(true);
      backend.start();
      URI upstream = URI.create("http://127.0.0.1:" + server.getLocalPort());
      try (ProxyFixture f = ProxyFixture.upstream(upstream)) {
        for (int i = 0; i < 3; i++) {
          HttpResponse<byte[]> answer = f.send(HttpRequest.newBuilder(f.uri("/api/tags")).build());
          assertThat(answer.statusCode()).isEqualTo(200);
          assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
        }
      }
      // each request after the first went first to the closed connection, then to a new one
      assertThat(requests).hasValue(3);
      assertThat(connections.get()).isBetween(3, 5);
    }
  }

  /** Reads one request's head and its Content-Length body; false if the connection ended first. */
  private static boolean readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && head.size() < 64 * 1024) {
      head.write(b);
      String text = head.toString(StandardCharsets.US_ASCII);
      if (text.endsWith("\r\n\r\n")) {
        int length = 0;
        for (String line : text.split("\r\n")) {
          if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).strip());
          }
        }
        return in.readNBytes(length).length == length;
      }
    }
    return false;
  }
}
