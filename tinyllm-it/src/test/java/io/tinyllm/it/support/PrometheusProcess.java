package io.tinyllm.it.support;

import io.tinyllm.metrics.testing.ExternalPrograms;
import io.tinyllm.metrics.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's {@code prometheus} on a free loopback port, scraping processes of this machine: its
 * configuration and any files beside it (rules) in a temporary directory, its TSDB in another.
 * Unlike {@code PrometheusContainer} it reaches the test's own JVM and processes the test starts on
 * loopback, so a test can hold an application's call while Prometheus scrapes it.
 *
 * <pre>{@code
 * try (PrometheusProcess prometheus = PrometheusProcess.start("""
 *         global: {scrape_interval: 1s}
 *         scrape_configs:
 *           - job_name: tinyllm
 *             static_configs: [{targets: ["127.0.0.1:9478"]}]
 *         """, Map.of())) {
 *   PrometheusApi api = new PrometheusApi(prometheus.url());
 * }
 * }</pre>
 */
public final class PrometheusProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final int port;
  private final Path home;

  private PrometheusProcess(Process process, int port, Path home) {
    this.process = process;
    this.port = port;
    this.home = home;
  }

  /**
   * Starts Prometheus with {@code config} as {@code prometheus.yml} and {@code files} (name to
   * content) beside it, so a {@code rule_files} entry names them relatively; waits (bounded) until
   * it is ready.
   */
  public static PrometheusProcess start(String config, Map<String, String> files) {
    Path binary = ExternalPrograms.require("prometheus", "prometheus");
    int port = FreePorts.find();
    try {
      Path home = Files.createTempDirectory("tinyllm-it-prometheus");
      Path configFile = home.resolve("prometheus.yml");
      Files.writeString(configFile, config);
      for (Map.Entry<String, String> file : files.entrySet()) {
        Files.writeString(home.resolve(file.getKey()), file.getValue());
      }
      Process process =
          new ProcessBuilder(
                  binary.toString(),
                  "--config.file=" + configFile,
                  "--storage.tsdb.path=" + home.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--log.level=warn")
              .redirectErrorStream(true)
              .redirectOutput(home.resolve("prometheus.log").toFile())
              .start();
      PrometheusProcess prometheus = new PrometheusProcess(process, port, home);
      prometheus.awaitReady();
      return prometheus;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        try {
          Http.get(url() + "/-/ready");
          return;
        } catch (IOException e) {
          // not listening yet, or still loading its TSDB
        }
        // between two tries, a wait that ends at once if Prometheus exits
        if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
          String log = log();
          close();
          throw new IllegalStateException("Prometheus exited at start: " + log);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IOException("interrupted", e);
    }
    String log = log();
    close();
    throw new IllegalStateException(
        "Prometheus did not become ready within " + START_TIMEOUT + ": " + log);
  }

  /** The base URL, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** What Prometheus logged (warnings and errors), for a failure message; at most 4 KiB. */
  public String log() {
    try {
      String text = Files.readString(home.resolve("prometheus.log")).strip();
      return text.length() <= 4096 ? text : "..." + text.substring(text.length() - 4096);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    ExternalPrograms.stop(process);
    try (Stream<Path> files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
