package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.api.time.Ticker;
import io.tinyllm.api.time.TickerClock;
import io.tinyllm.ollama.OllamaConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ollama servers behind the proxy and the choice of one for each request.
 *
 * <ol>
 *   <li>Candidates: the backends in the fleet that serve the model (installed, as their last {@code
 *       /api/tags} said); if none does, every backend in the fleet (one of them answers that the
 *       model is missing, as Ollama would); if the whole fleet is ejected, every backend.
 *   <li>One candidate: it ({@code only}).
 *   <li>The conversation was served before by a candidate: that one ({@code affinity}), so Ollama's
 *       prompt cache of the conversation's start is reused.
 *   <li>Candidates that have the model loaded (their last {@code /api/ps}): the least busy of them
 *       ({@code loaded}), so no request waits for a model load another backend already did.
 *   <li>Else the least busy candidate ({@code least_busy}); ties go round the fleet.
 * </ol>
 *
 * <p>"Busy" is the exchanges the proxy has open with a backend. Probes run every {@code
 * proxy.health.interval} on the scheduler {@link #start} is given; {@link #probe} runs one round,
 * which is how tests move time forward.
 *
 * <pre>{@code
 * Fleet.Route route = fleet.route("qwen2.5:0.5b", affinityKey, Set.of());
 * }</pre>
 */
public final class Fleet {
  private static final Logger log = LoggerFactory.getLogger(Fleet.class);

  /** Far above any real model list; a probe answer beyond it fails the probe. */
  static final int MAX_PROBE_BYTES = 8 * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A backend chosen, and why. */
  record Route(Backend backend, FleetMetrics.Reason reason) {}

  private final FleetConfig config;
  private final AdmissionConfig admission;
  private final List<Backend> backends;
  private final Map<String, Backend> byName;
  private final FleetMetrics metrics;
  private final Cache<String, Backend> affinity;
  private final AtomicInteger rotation = new AtomicInteger();
  private HttpClient client;
  private ScheduledFuture<?> probing;

  Fleet(
      FleetConfig config,
      AdmissionConfig admission,
      OllamaConfig ollama,
      FleetMetrics metrics,
      AdmissionMetrics admissionMetrics,
      Ticker ticker) {
    this.config = requireNonNull(config, "config is null");
    requireNonNull(ollama, "ollama is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    requireNonNull(ticker, "ticker is null");
    List<Backend> parsed = new ArrayList<>();
    if (config.upstreams().isEmpty()) {
      // the client's server, or its fleet (ollama.hosts): one setting names a fleet for both
      for (URI host : ollama.hosts()) {
        parsed.add(new Backend(host.getHost() + ":" + host.getPort(), host));
      }
    } else {
      config.upstreams().forEach(entry -> parsed.add(Backend.parse(entry)));
    }
    Map<String, Backend> names = new LinkedHashMap<>();
    for (Backend backend : parsed) {
      if (names.putIfAbsent(backend.name(), backend) != null) {
        throw new ConfigException(
            "Setting '"
                + FleetConfig.UPSTREAMS
                + "' names backend '"
                + backend.name()
                + "' twice: give each a name of its own (name=URL)");
      }
      metrics.add(backend.name());
    }
    if (config.breakerEnabled()) {
      CircuitBreakerConfig breakers = breakerConfig(config, ticker);
      for (Backend backend : parsed) {
        CircuitBreaker breaker = CircuitBreaker.of(backend.name(), breakers);
        breaker
            .getEventPublisher()
            .onStateTransition(
                event ->
                    metrics.breaker(
                        backend.name(), stateValue(event.getStateTransition().getToState())));
        metrics.breaker(backend.name(), 0);
        backend.useBreaker(breaker);
      }
    }
    this.admission = requireNonNull(admission, "admission is null");
    if (admission.enabled()) {
      requireNonNull(admissionMetrics, "admissionMetrics is null");
      parsed.forEach(
          backend ->
              backend.useAdmission(
                  new AdmissionGate(
                      admission.maxPerBackend(), backend.name(), admissionMetrics, ticker)));
    }
    this.backends = List.copyOf(parsed);
    this.byName = Map.copyOf(names);
    this.affinity =
        Caffeine.newBuilder()
            .maximumSize(config.affinityMaxEntries())
            .expireAfterAccess(config.affinityTtl())
            .ticker(ticker::read)
            .executor(
                Runnable::run) // evictions on the caller's thread: no hidden pool, exact tests
            .build();
  }

  /** The backends, in configured order. */
  public List<String> names() {
    return backends.stream().map(Backend::name).toList();
  }

  /** The address of backend {@code name}. */
  public URI address(String name) {
    Backend backend = byName.get(name);
    if (backend == null) {
      throw new IllegalArgumentException("No backend named " + name);
    }
    return backend.base();
  }

  /** Whether backend {@code name} is in the fleet (not ejected by health checks). */
  public boolean healthy(String name) {
    return byName.get(name).healthy();
  }

  FleetConfig config() {
    return config;
  }

  AdmissionConfig admission() {
    return admission;
  }

  List<Backend> backends() {
    return backends;
  }

  boolean single() {
    return backends.size() == 1;
  }

  /**
   * The backend for a request for {@code model} (null: none named) in the conversation {@code
   * affinityKey} (null: none), other than those in {@code excluded}; null when every backend is
   * excluded.
   */
  Route route(String model, String affinityKey, Set<Backend> excluded) {
    Set<Backend> refused = new HashSet<>(excluded);
    while (true) {
      Route route = choose(model, affinityKey, refused);
      if (route == null || route.backend().acquire()) {
        return route;
      }
      refused.add(route.backend()); // its circuit breaker is open: the next choice
    }
  }

  private Route choose(String model, String affinityKey, Set<Backend> excluded) {
    String tagged = ModelNames.tagged(model);
    List<Backend> candidates = new ArrayList<>();
    for (Backend backend : backends) {
      if (backend.healthy()
          && !excluded.contains(backend)
          && (tagged == null || backend.serves(tagged))) {
        candidates.add(backend);
      }
    }
    if (candidates.isEmpty()) {
      for (Backend backend : backends) {
        if (backend.healthy() && !excluded.contains(backend)) {
          candidates.add(backend);
        }
      }
    }
    // backends out of the fleet only when none is in it: a failover from the last healthy one must
    // not end on an ejected one, whose connection error would hide the healthy one's answer
    if (candidates.isEmpty() && backends.stream().noneMatch(Backend::healthy)) {
      for (Backend backend : backends) {
        if (!excluded.contains(backend)) {
          candidates.add(backend);
        }
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    if (candidates.size() == 1) {
      return new Route(candidates.get(0), FleetMetrics.Reason.ONLY);
    }
    if (affinityKey != null) {
      Backend before = affinity.getIfPresent(affinityKey);
      if (before != null && candidates.contains(before)) {
        return new Route(before, FleetMetrics.Reason.AFFINITY);
      }
    }
    if (tagged != null) {
      List<Backend> loaded = candidates.stream().filter(b -> b.hasLoaded(tagged)).toList();
      if (!loaded.isEmpty()) {
        return new Route(leastBusy(loaded), FleetMetrics.Reason.LOADED);
      }
    }
    return new Route(leastBusy(candidates), FleetMetrics.Reason.LEAST_BUSY);
  }

  /**
   * The conversation {@code affinityKey} was served by {@code backend}: its next turns go there.
   */
  void remember(String affinityKey, Backend backend) {
    if (affinityKey != null) {
      affinity.put(affinityKey, backend);
    }
  }

  /**
   * A count-based window of n calls that opens at a 100% failure rate opens exactly when the last n
   * calls all failed; time is the fleet's ticker, so tests move it.
   */
  private static CircuitBreakerConfig breakerConfig(FleetConfig config, Ticker ticker) {
    int threshold = config.breakerFailureThreshold();
    return CircuitBreakerConfig.custom()
        .slidingWindow(threshold, threshold, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(100f)
        .waitDurationInOpenState(config.breakerOpenDuration())
        .permittedNumberOfCallsInHalfOpenState(1)
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .clock(TickerClock.of(ticker))
        .writableStackTraceEnabled(false)
        .build();
  }

  private static int stateValue(CircuitBreaker.State state) {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      default -> 2;
    };
  }

  private Backend leastBusy(List<Backend> candidates) {
    int start = Math.floorMod(rotation.getAndIncrement(), candidates.size());
    Backend best = null;
    for (int i = 0; i < candidates.size(); i++) {
      Backend backend = candidates.get((start + i) % candidates.size());
      if (best == null || backend.inFlight() < best.inFlight()) {
        best = backend;
      }
    }
    return best;
  }

  /**
   * Probes every backend once now, then every {@code proxy.health.interval} on {@code scheduler}.
   * One backend is never probed: every request goes to it whatever a probe would say, and the proxy
   * stays invisible to it.
   */
  synchronized void start(HttpClient probeClient, ScheduledExecutorService scheduler) {
    if (client != null) {
      return;
    }
    client = requireNonNull(probeClient, "probeClient is null");
    if (single()) {
      return;
    }
    probe();
    long interval = config.healthInterval().toMillis();
    probing =
        scheduler.scheduleWithFixedDelay(
            () -> {
              try {
                probe();
              } catch (RuntimeException e) {
                log.warn("Health check of the fleet failed: {}", e.toString());
              }
            },
            interval,
            interval,
            TimeUnit.MILLISECONDS);
  }

  synchronized void stop() {
    if (probing != null) {
      probing.cancel(false);
      probing = null;
    }
    client = null; // a restarted proxy checks again
  }

  /**
   * One health check of every backend, all at once: {@code GET /api/tags} and {@code GET /api/ps},
   * both answered 200 with a model list within {@code proxy.health.timeout}, is a good probe.
   */
  public void probe() {
    HttpClient probeClient;
    synchronized (this) {
      probeClient = client;
    }
    if (probeClient == null) {
      throw new IllegalStateException("The fleet is not started");
    }
    List<CompletableFuture<HttpResponse<InputStream>>> tags = new ArrayList<>();
    List<CompletableFuture<HttpResponse<InputStream>>> ps = new ArrayList<>();
    for (Backend backend : backends) {
      tags.add(probeClient.sendAsync(get(backend, "/api/tags"), ofStream()));
      ps.add(probeClient.sendAsync(get(backend, "/api/ps"), ofStream()));
    }
    for (int i = 0; i < backends.size(); i++) {
      Backend backend = backends.get(i);
      try {
        Set<String> installed = names(tags.get(i).join(), config.healthTimeout());
        Set<String> loaded = names(ps.get(i).join(), config.healthTimeout());
        if (backend.probeSucceeded(installed, loaded, config.readmitAfter())) {
          log.info("Backend {} is back in the fleet", backend.name());
        }
      } catch (RuntimeException | IOException e) {
        if (backend.probeFailed(config.ejectAfter())) {
          log.warn(
              "Backend {} at {} leaves the fleet after {} failed health checks: {}",
              backend.name(),
              backend.base(),
              config.ejectAfter(),
              e.getCause() != null ? e.getCause().toString() : e.toString());
        }
      }
      metrics.health(backend.name(), backend.healthy(), backend.loadedCount());
    }
  }

  private HttpRequest get(Backend backend, String path) {
    return HttpRequest.newBuilder(URI.create(backend.baseText() + path))
        .timeout(config.healthTimeout())
        .GET()
        .build();
  }

  private static HttpResponse.BodyHandler<InputStream> ofStream() {
    return HttpResponse.BodyHandlers.ofInputStream();
  }

  /** The tagged names of an Ollama model list ({@code /api/tags}, {@code /api/ps}). */
  private static Set<String> names(HttpResponse<InputStream> response, Duration timeout)
      throws IOException {
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("status " + response.statusCode());
      }
      byte[] bytes = BoundedRead.read(body, MAX_PROBE_BYTES, timeout);
      JsonNode models = JSON.readTree(bytes).path("models");
      if (!models.isArray()) {
        throw new IOException("no model list");
      }
      Set<String> names = new HashSet<>();
      for (JsonNode model : models) {
        String name = model.path("name").asText(model.path("model").asText(null));
        if (name != null) {
          names.add(ModelNames.tagged(name));
        }
      }
      return names;
    }
  }
}
