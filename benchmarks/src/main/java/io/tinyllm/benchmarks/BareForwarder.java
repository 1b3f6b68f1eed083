package io.tinyllm.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;

/**
 * The floor a proxy is measured against: a TCP forwarder that reads what arrives on either side and
 * writes it to the other at once (read, write, flush), one thread per direction, with no parsing,
 * no metrics and no HTTP. Any HTTP proxy does at least this much work per streamed chunk.
 *
 * <p>Child process: {@code BareForwarder <upstream URI>}; prints {@code forwarder listening on
 * <URI>} and ends when its standard input closes.
 */
public final class BareForwarder {
  static final String READY = "forwarder listening on ";

  private BareForwarder() {}

  public static void main(String[] args) throws IOException {
    serve(
        URI.create(args[0]),
        READY,
        (client, origin) -> {
          pipe(client, origin);
          pipe(origin, client);
        });
  }

  /** What a forwarder does with each client connection and its own to the upstream. */
  @FunctionalInterface
  interface Pipes {
    void start(Socket client, Socket origin);
  }

  /**
   * Accepts connections on a free loopback port, connects each to {@code upstream} and hands both
   * to {@code pipes}; prints {@code ready} and the address, and returns when standard input closes.
   */
  static void serve(URI upstream, String ready, Pipes pipes) throws IOException {
    InetSocketAddress target = new InetSocketAddress(upstream.getHost(), upstream.getPort());
    ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket client = server.accept();
                  Socket origin = new Socket();
                  origin.connect(target);
                  client.setTcpNoDelay(true);
                  origin.setTcpNoDelay(true);
                  pipes.start(client, origin);
                } catch (IOException e) {
                  if (!server.isClosed()) {
                    System.err.println("forwarder: " + e);
                  }
                }
              }
            },
            "forwarder-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    System.out.println(ready + "http://127.0.0.1:" + server.getLocalPort());
    System.out.flush();
    ChildProcess.awaitEndOfInput();
    server.close();
  }

  /** Copies {@code from} to {@code to} until either ends, flushing every read. */
  private static void pipe(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // the other side went away: this direction ends
              } finally {
                try {
                  from.close();
                  to.close();
                } catch (IOException ignored) {
                  // closing is all that is left to do
                }
              }
            },
            "forwarder-pipe");
    thread.setDaemon(true);
    thread.start();
  }
}
