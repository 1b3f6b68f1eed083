package io.tinyllm.metrics.testing;

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
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} (Debian's {@code redis-server}) on a free loopback port, without
 * persistence, started by a test and stopped when closed. It can be stopped and started again on
 * the same port to play an outage.
 *
 * <pre>{@code
 * try (RedisServerProcess redis = RedisServerProcess.start()) {
 *   ... connect to redis.uri() ...
 *   redis.stop();
 *   redis.restart();
 * }
 * }</pre>
 */
public final class RedisServerProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Path binary;
  private final int port;
  private final List<String> extraArgs;
  private final String password;
  private Process process;
  private Path log;

  private RedisServerProcess(Path binary, int port, List<String> extraArgs, String password) {
    this.binary = binary;
    this.port = port;
    this.extraArgs = extraArgs;
    this.password = password;
  }

  /** Starts a server and waits (bounded) until it answers {@code PING}. */
  public static RedisServerProcess start() {
    return start(null);
  }

  /** Starts a server that requires {@code password} (none when {@code null}). */
  public static RedisServerProcess start(String password) {
    Path binary = ExternalPrograms.require("redis-server", "redis-server");
    List<String> extra = new ArrayList<>(List.of("--enable-debug-command", "local"));
    if (password != null) {
      extra.addAll(List.of("--requirepass", password));
    }
    RedisServerProcess redis =
        new RedisServerProcess(binary, FreePorts.find(), List.copyOf(extra), password);
    redis.restart();
    return redis;
  }

  /** Starts the server again on the same port, empty. */
  public void restart() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis-server is running");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no"));
    command.addAll(extraArgs);
    try {
      log = Files.createTempFile("redis-server", ".log");
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      awaitReady();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited at start: " + Files.readString(log).strip());
      }
      try {
        if (command("PING").equals("+PONG")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      sleep(20);
    }
    close();
    throw new IllegalStateException("redis-server did not answer within " + START_TIMEOUT);
  }

  /** {@code redis://127.0.0.1:port}, without credentials. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /**
   * Sends one command on a fresh connection (authenticating first if needed) and returns the first
   * line of the reply, e.g. {@code +OK}, {@code :3}, {@code $5}.
   */
  public String command(String... args) throws IOException {
    return command(Duration.ofSeconds(5), args);
  }

  public String command(Duration timeout, String... args) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      if (password != null) {
        send(out, "AUTH", password);
        readLine(in);
      }
      send(out, args);
      return readLine(in);
    }
  }

  /**
   * Pauses every client's commands with {@code CLIENT PAUSE} for {@code length}, returning once the
   * server has confirmed that the pause is in effect: to its clients the server then stops
   * answering, as a slow one does. Closing the returned handle waits (bounded) for the pause to
   * end: Redis postpones even {@code CLIENT UNPAUSE} until then, so it cannot be cut short.
   */
  public AutoCloseable pause(Duration length) throws IOException {
    // the pause ends on the server's cron, 10 times a second by default: at 100 it ends on time
    String faster = command("CONFIG", "SET", "hz", "100");
    if (!faster.equals("+OK")) {
      throw new IOException("CONFIG SET hz answered " + faster);
    }
    String paused = command("CLIENT", "PAUSE", String.valueOf(length.toMillis()), "ALL");
    if (!paused.equals("+OK")) {
      throw new IOException("CLIENT PAUSE answered " + paused);
    }
    return () -> {
      // answered only once the pause has ended
      String pong = command(length.plusSeconds(10), "PING");
      if (!pong.equals("+PONG")) {
        throw new IOException("PING after CLIENT PAUSE answered " + pong);
      }
    };
  }

  /** Stores raw {@code value} bytes under {@code key}. */
  public void setRaw(String key, byte[] value) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      if (password != null) {
        send(out, "AUTH", password);
        readLine(socket.getInputStream());
      }
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(("*3\r\n$3\r\nSET\r\n").getBytes(StandardCharsets.UTF_8));
      byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
      request.writeBytes(("$" + keyBytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      request.writeBytes(keyBytes);
      request.writeBytes(("\r\n$" + value.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      request.writeBytes(value);
      request.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
      out.write(request.toByteArray());
      out.flush();
      String reply = readLine(socket.getInputStream());
      if (!reply.equals("+OK")) {
        throw new IOException("SET answered " + reply);
      }
    }
  }

  private static void send(OutputStream out, String... args) throws IOException {
    StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
    }
    out.write(request.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
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

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops the server; {@link #restart()} brings it back on the same port. */
  public void stop() {
    if (process == null) {
      return;
    }
    ExternalPrograms.stop(process);
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a leftover temp file is harmless
    }
  }

  @Override
  public void close() {
    stop();
  }
}
