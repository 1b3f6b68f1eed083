package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * How {@code tinyllm proxy} drives several Ollama servers: which ones, how often each is probed,
 * when one leaves the fleet and comes back, and how long a conversation remembers its backend.
 *
 * <pre>{@code
 * FleetConfig config = FleetConfig.from(Settings.of(Map.of(
 *     "proxy.upstreams", "gpu-1=http://10.0.0.1:11434,http://10.0.0.2:11434")));
 * }</pre>
 *
 * @param upstreams the backends, each {@code URL} or {@code name=URL}; empty: the Java client's
 *     servers, {@code ollama.hosts} (each named by its {@code host:port}), else the one Ollama of
 *     {@code ollama.host}
 * @param healthInterval time between two probes of a backend ({@code /api/tags} and {@code
 *     /api/ps}, which also say what it has installed and loaded)
 * @param healthTimeout the longest a probe waits for its answers
 * @param ejectAfter consecutive failed probes that take a backend out of the fleet
 * @param readmitAfter consecutive good probes that bring an ejected backend back
 * @param affinityMaxEntries conversations whose backend is remembered at most (least recently used
 *     forgotten first)
 * @param affinityTtl how long an idle conversation keeps its backend
 * @param breakerEnabled whether each backend has a circuit breaker (off by default: health checks
 *     and failover already keep requests off a dead backend)
 * @param breakerFailureThreshold consecutive failed requests that open a backend's breaker
 * @param breakerOpenDuration how long an open breaker keeps requests away before one trial
 */
public record FleetConfig(
    List<String> upstreams,
    Duration healthInterval,
    Duration healthTimeout,
    int ejectAfter,
    int readmitAfter,
    int affinityMaxEntries,
    Duration affinityTtl,
    boolean breakerEnabled,
    int breakerFailureThreshold,
    Duration breakerOpenDuration) {
  public static final String UPSTREAMS = "proxy.upstreams";
  public static final String HEALTH_INTERVAL = "proxy.health.interval";
  public static final String HEALTH_TIMEOUT = "proxy.health.timeout";
  public static final String EJECT_AFTER = "proxy.health.eject-after";
  public static final String READMIT_AFTER = "proxy.health.readmit-after";
  public static final String AFFINITY_MAX_ENTRIES = "proxy.affinity.max-entries";
  public static final String AFFINITY_TTL = "proxy.affinity.ttl";
  public static final String BREAKER_ENABLED = "proxy.circuit-breaker.enabled";
  public static final String BREAKER_FAILURE_THRESHOLD = "proxy.circuit-breaker.failure-threshold";
  public static final String BREAKER_OPEN_DURATION = "proxy.circuit-breaker.open-duration";

  /** A backend label stays one a dashboard can show; a fleet larger than this is not ours. */
  static final int MAX_UPSTREAMS = 64;

  public FleetConfig {
    upstreams = List.copyOf(requireNonNull(upstreams, "upstreams is null"));
    requireNonNull(healthInterval, "healthInterval is null");
    requireNonNull(healthTimeout, "healthTimeout is null");
    requireNonNull(affinityTtl, "affinityTtl is null");
    requireNonNull(breakerOpenDuration, "breakerOpenDuration is null");
    if (upstreams.size() > MAX_UPSTREAMS) {
      throw new ConfigException(
          "Setting '"
              + UPSTREAMS
              + "' names "
              + upstreams.size()
              + " Ollama servers; at most "
              + MAX_UPSTREAMS);
    }
    positive(HEALTH_INTERVAL, healthInterval);
    positive(HEALTH_TIMEOUT, healthTimeout);
    positive(AFFINITY_TTL, affinityTtl);
    positive(BREAKER_OPEN_DURATION, breakerOpenDuration);
  }

  public static FleetConfig defaults() {
    return from(Settings.empty());
  }

  public static FleetConfig from(Settings settings) {
    requireNonNull(settings, "settings is null");
    return new FleetConfig(
        settings.getList(UPSTREAMS, List.of()),
        settings.getDuration(HEALTH_INTERVAL, Duration.ofSeconds(10)),
        settings.getDuration(HEALTH_TIMEOUT, Duration.ofSeconds(5)),
        settings.getInt(EJECT_AFTER, 3, 1, 100),
        settings.getInt(READMIT_AFTER, 2, 1, 100),
        settings.getInt(AFFINITY_MAX_ENTRIES, 10_000, 1, 10_000_000),
        settings.getDuration(AFFINITY_TTL, Duration.ofMinutes(30)),
        settings.getBoolean(BREAKER_ENABLED, false),
        settings.getInt(BREAKER_FAILURE_THRESHOLD, 5, 1, 1000),
        settings.getDuration(BREAKER_OPEN_DURATION, Duration.ofSeconds(30)));
  }

  private static void positive(String key, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException("Setting '" + key + "' must be positive, got " + value);
    }
  }
}
