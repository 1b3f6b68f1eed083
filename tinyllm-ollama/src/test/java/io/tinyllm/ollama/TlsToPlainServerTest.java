package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.LlmTimeoutException;
import io.tinyllm.api.llm.GenerateRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code https://} pointed at a plain-HTTP server: the error says TLS failed and to use {@code
 * http://}, whether the server answers the handshake with an HTTP error or waits in silence.
 */
class TlsToPlainServerTest {
  private static final GenerateRequest PING = GenerateRequest.builder("m", "ping").build();

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** A plain-HTTP server that answers whatever it reads with 400, as many servers do. */
  private int answeringServer() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    open.add(server);
    Thread thread =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                  InputStream in = socket.getInputStream();
                  in.read(new byte[4096]);
                  OutputStream out = socket.getOutputStream();
                  out.write(
                      "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                } catch (IOException e) {
                  // closed by the test, or the client hung up
                }
              }
            },
            "plain-http-400");
    thread.setDaemon(true);
    thread.start();
    return server.getLocalPort();
  }

  /** A server that accepts and then waits for a request line that a handshake never ends. */
  private int silentServer() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    open.add(server);
    List<Socket> accepted = new ArrayList<>();
    Thread thread =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket socket = server.accept();
                  synchronized (accepted) {
                    accepted.add(socket);
                  }
                } catch (IOException e) {
                  // closed by the test
                }
              }
            },
            "plain-http-silent");
    thread.setDaemon(true);
    thread.start();
    open.add(
        () -> {
          synchronized (accepted) {
            for (Socket s : accepted) {
              s.close();
            }
          }
        });
    return server.getLocalPort();
  }

  private OllamaClient client(int port) {
    OllamaClient client =
        OllamaClient.create(
            OllamaConfig.from(
                Settings.of(
                    Map.of(
                        OllamaConfig.HOST,
                        "https://127.0.0.1:" + port,
                        OllamaConfig.RETRY_MAX_ATTEMPTS,
                        "1",
                        OllamaConfig.CONNECT_TIMEOUT,
                        "500ms")),
                Map.of()));
    open.add(0, client);
    return client;
  }

  @Test
  void aServerThatAnswersTheHandshakeWithHttpIsATlsError() throws Exception {
    int port = answeringServer();

    assertThatThrownBy(() -> client(port).generate(PING))
        .isInstanceOf(LlmConnectionException.class)
        .hasMessageStartingWith("TLS with Ollama at https://127.0.0.1:" + port + " failed")
        .hasMessageEndingWith(
            "A plain-HTTP server (as Ollama is by default) does not speak TLS: use http://");
  }

  @Test
  void aSilentServerTimesOutWithTheSameHint() throws Exception {
    int port = silentServer();

    assertThatThrownBy(() -> client(port).generate(PING))
        .isInstanceOf(LlmTimeoutException.class)
        .hasMessageStartingWith("Connecting to Ollama at https://127.0.0.1:" + port + " timed out")
        .hasMessageEndingWith(
            "A plain-HTTP server (as Ollama is by default) does not speak TLS: use http://");
  }
}
