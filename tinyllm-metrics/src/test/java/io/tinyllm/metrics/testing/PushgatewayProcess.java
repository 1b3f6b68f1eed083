package io.tinyllm.metrics.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * A real Pushgateway (Debian's {@code prometheus-pushgateway}) on a free loopback port, started by
 * a test and stopped when closed.
 *
 * <pre>{@code
 * try (PushgatewayProcess gateway = PushgatewayProcess.start()) {
 *   ... push to gateway.address() ...
 *   assertThat(gateway.metricsText()).contains("job=\"batch\"");
 * }
 * }</pre>
 */
public final class PushgatewayProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Process process;
  private final int port;
  private final Path log;
  private final Path persistence;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PushgatewayProcess(Process process, int port, Path log, Path persistence) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.persistence = persistence;
  }

  /** Starts the gateway and waits (bounded) until it answers {@code /-/ready}. */
  public static PushgatewayProcess start() {
    Path binary = ExternalPrograms.require("prometheus-pushgateway", "prometheus-pushgateway");
    int port = FreePorts.find();
    try {
      Path log = Files.createTempFile("pushgateway", ".log");
      // a file of its own: Debian's default persistence file is shared by every gateway started
      // without one, which would hand this test other runs' groups; its unique path also tells
      // this gateway apart from any other that answers on the port
      Path persistence = log.resolveSibling("pushgateway-" + UUID.randomUUID() + ".data");
      Process process =
          new ProcessBuilder(
                  binary.toString(),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--persistence.file=" + persistence,
                  "--log.level=warn")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      PushgatewayProcess gateway = new PushgatewayProcess(process, port, log, persistence);
      gateway.awaitReady();
      return gateway;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Pushgateway exited at start: " + Files.readString(log).strip());
      }
      try {
        if (get("/-/ready").statusCode() == 200) {
          if (!get("/api/v1/status").body().contains(persistence.toString())) {
            close();
            throw new IllegalStateException(
                "Another Pushgateway answers on port " + port + "; this one could not bind it");
          }
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      sleep(50);
    }
    close();
    throw new IllegalStateException("Pushgateway did not become ready within " + START_TIMEOUT);
  }

  /** {@code 127.0.0.1:port}, as the exporter's address setting wants it. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** What the gateway exposes on {@code /metrics}. */
  public String metricsText() {
    try {
      return get("/metrics").body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<String> get(String path) throws IOException {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://" + address() + path))
              .timeout(Duration.ofSeconds(5))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
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

  @Override
  public void close() {
    ExternalPrograms.stop(process);
    try {
      Files.deleteIfExists(log);
      Files.deleteIfExists(persistence);
    } catch (IOException e) {
      // a leftover temp file is harmless
    }
  }
}
