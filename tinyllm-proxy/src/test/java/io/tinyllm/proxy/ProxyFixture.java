package io.tinyllm.proxy;

import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.testing.Exposition;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A proxy on an ephemeral loopback port in front of {@code upstream} (a simulator, or a test server
 * of canned answers), started the way {@code tinyllm proxy} starts it: every plug-in on the class
 * path in one {@link TinyLlm}.
 */
final class ProxyFixture implements AutoCloseable {
  final TinyLlm app;
  final ProxyServer proxy;
  final OllamaSimulator sim;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private ProxyFixture(OllamaSimulator sim, URI upstream, Map<String, String> extra) {
    this.sim = sim;
    Map<String, String> settings = new HashMap<>();
    settings.put("ollama.host", upstream.toString());
    settings.put("ollama.timeout.connect", "2s");
    settings.put(ProxyConfig.PORT, "0");
    settings.putAll(extra);
    app = TinyLlm.start(Settings.of(settings));
    proxy = app.get(ProxyServer.class);
    proxy.start();
  }

  /** A proxy in front of a simulator with {@code config}. */
  static ProxyFixture simulator(SimulatorConfig config) {
    return simulator(config, Map.of());
  }

  /** A proxy with more settings in front of a simulator with {@code config}. */
  static ProxyFixture simulator(SimulatorConfig config, Map<String, String> settings) {
    try {
      OllamaSimulator sim = OllamaSimulator.start(config);
      return new ProxyFixture(sim, sim.baseUri(), settings);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A proxy in front of a simulator that answers without delays. */
  static ProxyFixture simulator() {
    return simulator(SimulatorConfig.builder().port(0).timeScale(0).build());
  }

  /** A proxy in front of {@code upstream}. */
  static ProxyFixture upstream(URI upstream) {
    return upstream(upstream, Map.of());
  }

  /** A proxy in front of {@code upstream}, with more settings. */
  static ProxyFixture upstream(URI upstream, Map<String, String> settings) {
    return new ProxyFixture(null, upstream, settings);
  }

  URI uri(String path) {
    return proxy.uri().resolve(path);
  }

  URI direct(String path) {
    return sim.baseUri().resolve(path);
  }

  /** POSTs {@code json} to {@code uri} and returns the answer's bytes. */
  HttpResponse<byte[]> post(URI uri, String json, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request.build());
  }

  HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The registry in the text format, as the proxy's /metrics serves it. */
  String scrape() {
    return app.metrics().scrapeText();
  }

  /**
   * The sample lines of the families named {@code name} (and its _bucket, _count, … lines) that
   * traffic recorded: without the labelled counter and histogram series still at 0, which exist
   * ahead of their first event.
   */
  String samples(String name) {
    return Exposition.withoutZeroSeries(scrape())
        .lines()
        .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
        .map(line -> line + "\n")
        .collect(Collectors.joining());
  }

  /**
   * Waits up to 10 s for {@code name}'s samples to be {@code expected}: for the proxy's own gauge,
   * which drops just after the client got its whole answer.
   */
  void awaitSamples(String name, String expected) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!samples(name).equals(expected) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5); // polling a condition, bounded above
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    org.assertj.core.api.Assertions.assertThat(samples(name)).isEqualTo(expected);
  }

  @Override
  public void close() {
    app.close();
    if (sim != null) {
      sim.close();
    }
  }
}
