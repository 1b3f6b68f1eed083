package io.tinyllm.proxy;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.time.Ticker;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A proxy in front of simulators named {@code a}, {@code b}, … on loopback, with health checks that
 * run only when a test calls {@link Fleet#probe()} (the interval is an hour) and a fake ticker for
 * the affinity map's expiry.
 */
final class FleetFixture implements AutoCloseable {
  private static final Duration IDLE_WAIT = Duration.ofSeconds(10);

  final List<OllamaSimulator> sims = new ArrayList<>();
  final TinyLlm app;
  final ProxyServer proxy;
  final Fleet fleet;
  final AtomicLong nanos = new AtomicLong();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  FleetFixture(List<SimulatorConfig> configs, Map<String, String> extra) {
    List<String> upstreams = new ArrayList<>();
    try {
      for (SimulatorConfig config : configs) {
        OllamaSimulator sim = OllamaSimulator.start(config);
        upstreams.add((char) ('a' + sims.size()) + "=" + sim.baseUri());
        sims.add(sim);
      }
    } catch (IOException e) {
      sims.forEach(OllamaSimulator::close);
      throw new UncheckedIOException(e);
    }
    Map<String, String> settings = new HashMap<>();
    settings.put(FleetConfig.UPSTREAMS, String.join(",", upstreams));
    settings.put(FleetConfig.HEALTH_INTERVAL, "1h");
    settings.put("ollama.timeout.connect", "2s");
    settings.put(ProxyConfig.PORT, "0");
    settings.putAll(extra);
    Ticker ticker = nanos::get;
    app =
        TinyLlm.start(
            Settings.of(settings),
            getClass().getClassLoader(),
            List.of(binder -> binder.bind(Ticker.class).toInstance(ticker)));
    proxy = app.get(ProxyServer.class);
    proxy.start();
    fleet = proxy.fleet();
  }

  /** Simulators that answer at once, with the default models. */
  static FleetFixture of(int count) {
    List<SimulatorConfig> configs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      configs.add(quick().build());
    }
    return new FleetFixture(configs, Map.of());
  }

  static SimulatorConfig.Builder quick() {
    return SimulatorConfig.builder().port(0).timeScale(0);
  }

  OllamaSimulator sim(char name) {
    return sims.get(name - 'a');
  }

  URI uri(String path) {
    return proxy.uri().resolve(path);
  }

  HttpResponse<String> post(String path, String json) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  /**
   * Sends {@code request} and waits until the proxy is done with every backend: the client has its
   * answer a moment before the proxy counts the exchange ended, and "least busy" routing of the
   * next request must not see it still open.
   */
  HttpResponse<String> send(HttpRequest request) {
    try {
      HttpResponse<String> response =
          http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      awaitIdle();
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits up to 10 s in all for every backend's open exchanges to fall to zero, one backend after
   * the other: once the client has its answer, counts only fall.
   */
  void awaitIdle() throws InterruptedException {
    long deadline = System.nanoTime() + IDLE_WAIT.toNanos();
    for (Backend backend : fleet.backends()) {
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      if (!backend.awaitIdle(left)) {
        throw new AssertionError(
            "backend "
                + backend.name()
                + " still has "
                + backend.inFlight()
                + " exchanges open after "
                + IDLE_WAIT.toSeconds()
                + " s");
      }
    }
  }

  /** A chat turn to {@code model}: a conversation is its system prompt and first question. */
  static String chat(String model, String system, String... questions) {
    StringBuilder messages =
        new StringBuilder("{\"role\":\"system\",\"content\":\"" + system + "\"}");
    for (String question : questions) {
      messages.append(",{\"role\":\"user\",\"content\":\"").append(question).append("\"}");
    }
    return "{\"model\":\"" + model + "\",\"stream\":false,\"messages\":[" + messages + "]}";
  }

  void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }

  /** The sample lines of family {@code name} that are not zero, sorted. */
  List<String> samples(String name) {
    return Exposition.withoutZeroSeries(app.metrics().scrapeText())
        .lines()
        .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
        .sorted()
        .collect(Collectors.toList());
  }

  /** Every sample line of family {@code name}, zeros included, sorted. */
  List<String> allSamples(String name) {
    return app.metrics()
        .scrapeText()
        .lines()
        .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
        .sorted()
        .collect(Collectors.toList());
  }

  @Override
  public void close() {
    app.close();
    sims.forEach(OllamaSimulator::close);
  }
}
