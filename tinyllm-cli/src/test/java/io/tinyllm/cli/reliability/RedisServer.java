package io.tinyllm.cli.reliability;

import io.tinyllm.metrics.testing.ExternalPrograms;
import io.tinyllm.metrics.testing.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port without persistence, which can be stopped and
 * started again on the same port (the idea of tinyllm-cache's {@code RedisServerProcess}).
 */
final class RedisServer implements AutoCloseable {
  private final Path binary;
  private final int port;
  private Process process;
  private Path log;

  private RedisServer(Path binary, int port) {
    this.binary = binary;
    this.port = port;
  }

  static RedisServer start() {
    RedisServer redis =
        new RedisServer(ExternalPrograms.require("redis-server", "redis-server"), FreePorts.find());
    redis.restart();
    return redis;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server (again) on the same port, empty; waits until it answers PING. */
  void restart() {
    try {
      log = Files.createTempFile("redis-server", ".log");
      process =
          new ProcessBuilder(
                  List.of(
                      binary.toString(),
                      "--port",
                      String.valueOf(port),
                      "--bind",
                      "127.0.0.1",
                      "--save",
                      "",
                      "--appendonly",
                      "no"))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("redis-server exited: " + Files.readString(log));
        }
        try {
          if (command("PING").equals("+PONG")) {
            return;
          }
        } catch (IOException e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
        }
        Thread.sleep(20);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends one command and returns the first line of the reply ({@code +PONG}, {@code :3}). */
  String command(String... args) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5000);
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String arg : args) {
        request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        request.append(arg).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int previous = -1;
      while (true) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed");
        }
        if (previous == '\r' && b == '\n') {
          byte[] bytes = line.toByteArray();
          return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
        }
        line.write(b);
        previous = b;
      }
    }
  }

  void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // a leftover temp file is harmless
    }
    process = null;
  }

  @Override
  public void close() {
    stop();
  }
}
