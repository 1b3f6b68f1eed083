package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tinyllm.api.concurrent.AwaitableCount;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.ollama.OllamaHost;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One Ollama server of the fleet: its name (the {@code backend} label, from the configuration
 * only), its address, what the last probe saw installed and loaded on it, whether it is in the
 * fleet, and how many exchanges it serves now.
 *
 * <p>Health moves on probes only: {@code ejectAfter} failed probes in a row take it out, {@code
 * readmitAfter} good ones in a row bring it back. A request that fails on it fails over (before its
 * first byte) but does not eject it, so one unlucky request cannot empty a fleet.
 */
final class Backend {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private final String name;
  private final URI base;
  private final String baseText;
  private final String pathPrefix;
  private final AwaitableCount inFlight = new AwaitableCount();
  private volatile boolean healthy = true;
  private volatile Set<String> installed = Set.of();
  private volatile Set<String> loaded = Set.of();
  private volatile boolean inventoryKnown;
  private int failures;
  private int successes;
  private volatile CircuitBreaker breaker;
  private volatile AdmissionGate admission;

  /** What a breaker records of a failed request: the kind is in the backend's error metrics. */
  private static final Exception FAILED = new BackendFailure();

  Backend(String name, URI base) {
    this.name = requireNonNull(name, "name is null");
    this.base = requireNonNull(base, "base is null");
    String text = base.toString();
    this.baseText = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    this.pathPrefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * A backend from a configured entry, {@code URL} or {@code name=URL}; without a name it is called
   * by its {@code host:port} (never the user or password an address may hold).
   */
  static Backend parse(String entry) {
    String text = requireNonNull(entry, "entry is null").strip();
    String name = null;
    int equals = text.indexOf('=');
    String before = equals > 0 ? text.substring(0, equals).strip() : "";
    // an address never has '=' before its host, so "name=" is told apart by having no ':' or '/'
    if (equals > 0 && before.indexOf(':') < 0 && before.indexOf('/') < 0) {
      name = before;
      text = text.substring(equals + 1).strip();
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException(
            "Invalid backend name '"
                + name
                + "' in setting '"
                + FleetConfig.UPSTREAMS
                + "': expected letters, digits, '.', '_' or '-', at most 63");
      }
    }
    URI uri;
    try {
      uri = OllamaHost.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Invalid Ollama address in setting '" + FleetConfig.UPSTREAMS + "': " + e.getMessage());
    }
    return new Backend(name != null ? name : uri.getHost() + ":" + uri.getPort(), uri);
  }

  String name() {
    return name;
  }

  URI base() {
    return base;
  }

  /** The base address without a trailing slash, to append a path to. */
  String baseText() {
    return baseText;
  }

  /** The base address's path without a trailing slash ("" for most), to put before a path. */
  String pathPrefix() {
    return pathPrefix;
  }

  boolean healthy() {
    return healthy;
  }

  int inFlight() {
    return inFlight.get();
  }

  void started() {
    inFlight.increment();
  }

  void ended() {
    inFlight.decrement();
  }

  /**
   * Waits until no exchange is open with this backend, at most {@code timeout}; true when the count
   * was seen at zero. Woken by the {@link #ended} that brings the count to zero, so the forwarding
   * path pays one atomic read more and nothing else while nobody waits.
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    return inFlight.awaitZero(timeout);
  }

  /**
   * Whether the last good probe saw {@code model} installed; true while nothing is known yet, so a
   * backend is not passed over before its first probe.
   */
  boolean serves(String model) {
    return !inventoryKnown || installed.contains(model);
  }

  /** Whether the last good probe saw {@code model} loaded. */
  boolean hasLoaded(String model) {
    return loaded.contains(model);
  }

  int loadedCount() {
    return loaded.size();
  }

  /**
   * A probe answered with what is installed and loaded. Returns true if this brought the backend
   * back into the fleet.
   */
  synchronized boolean probeSucceeded(
      Set<String> installedNow, Set<String> loadedNow, int readmitAfter) {
    installed = Set.copyOf(installedNow);
    loaded = Set.copyOf(loadedNow);
    inventoryKnown = true;
    failures = 0;
    successes++;
    if (!healthy && successes >= readmitAfter) {
      healthy = true;
      return true;
    }
    return false;
  }

  /** A probe failed. Returns true if this took the backend out of the fleet. */
  synchronized boolean probeFailed(int ejectAfter) {
    successes = 0;
    failures++;
    if (healthy && failures >= ejectAfter) {
      healthy = false;
      return true;
    }
    return false;
  }

  /** Limits the requests at a time on the backend ({@code proxy.admission.enabled}). */
  void useAdmission(AdmissionGate gate) {
    this.admission = requireNonNull(gate, "gate is null");
  }

  /** The admission gate, or null when requests go straight to the backend. */
  AdmissionGate admission() {
    return admission;
  }

  /** Gives the backend a circuit breaker ({@code proxy.circuit-breaker.enabled}). */
  void useBreaker(CircuitBreaker circuitBreaker) {
    this.breaker = requireNonNull(circuitBreaker, "circuitBreaker is null");
  }

  /**
   * Whether a request may go to this backend now: always without a breaker; with one, while it is
   * closed, or as the one trial of a half-open breaker once the open duration is over. Every true
   * is followed by {@link #succeeded} or {@link #failed}.
   */
  boolean acquire() {
    CircuitBreaker current = breaker;
    return current == null || current.tryAcquirePermission();
  }

  /** The backend answered (any status below 500 but 429). */
  void succeeded() {
    CircuitBreaker current = breaker;
    if (current != null) {
      current.onSuccess(0, TimeUnit.NANOSECONDS);
    }
  }

  /** The backend failed a request before its answer's first byte, or answered 429 or 5xx. */
  void failed() {
    CircuitBreaker current = breaker;
    if (current != null) {
      current.onError(0, TimeUnit.NANOSECONDS, FAILED);
    }
  }

  /** A permission taken but not used (the request never went). */
  void released() {
    CircuitBreaker current = breaker;
    if (current != null) {
      current.releasePermission();
    }
  }

  @Override
  public String toString() {
    return name;
  }

  private static final class BackendFailure extends Exception {
    private static final long serialVersionUID = 1L;

    BackendFailure() {
      super("the backend failed a request", null, false, false);
    }
  }
}
