package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the Ollama client. Every key has a default; see {@code docs/ollama-client.md}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@code ollama.host}</td><td>env {@code OLLAMA_HOST}, else {@code http://127.0.0.1:11434}</td></tr>
 *   <tr><td>{@code ollama.hosts}</td><td>unset; {@code URL,URL,...} for a fleet (instead of {@code ollama.host})</td></tr>
 *   <tr><td>{@code ollama.hosts.retry-after}</td><td>10s: a host that refused a connection is skipped that long</td></tr>
 *   <tr><td>{@code ollama.timeout.connect}</td><td>10s</td></tr>
 *   <tr><td>{@code ollama.timeout.request}</td><td>5m (a whole non-streaming call; a stream's first chunk)</td></tr>
 *   <tr><td>{@code ollama.timeout.stream-idle}</td><td>60s (the longest wait for a stream's next bytes)</td></tr>
 *   <tr><td>{@code ollama.timeout.stream-total}</td><td>30m (a whole stream, retries included)</td></tr>
 *   <tr><td>{@code ollama.max-response-bytes}</td><td>64 MiB (a non-streamed body, a stream's text, one stream line)</td></tr>
 *   <tr><td>{@code ollama.circuit-breaker.enabled}</td><td>true</td></tr>
 *   <tr><td>{@code ollama.circuit-breaker.failure-threshold}</td><td>5 consecutive failures</td></tr>
 *   <tr><td>{@code ollama.circuit-breaker.open-duration}</td><td>30s before half-open</td></tr>
 *   <tr><td>{@code ollama.circuit-breaker.half-open-calls}</td><td>1 trial call</td></tr>
 *   <tr><td>{@code ollama.rate-limit.enabled}</td><td>true</td></tr>
 *   <tr><td>{@code ollama.rate-limit.requests-per-second}</td><td>10</td></tr>
 *   <tr><td>{@code ollama.rate-limit.burst}</td><td>20</td></tr>
 *   <tr><td>{@code ollama.rate-limit.max-wait}</td><td>30s, then {@code RateLimitedException}</td></tr>
 *   <tr><td>{@code ollama.retry.max-attempts}</td><td>3 attempts in total (first + 2 retries)</td></tr>
 *   <tr><td>{@code ollama.retry.initial-backoff}</td><td>500ms</td></tr>
 *   <tr><td>{@code ollama.retry.multiplier}</td><td>2.0</td></tr>
 *   <tr><td>{@code ollama.retry.max-backoff}</td><td>10s</td></tr>
 *   <tr><td>{@code ollama.retry.jitter}</td><td>0.5 (each wait is drawn from ±50% of the nominal one)</td></tr>
 *   <tr><td>{@code ollama.metrics.model-load-threshold}</td><td>100ms: a smaller {@code load_duration} is not a load</td></tr>
 *   <tr><td>{@code ollama.metrics.enabled}</td><td>true; false leaves every client family out of the registry</td></tr>
 *   <tr><td>{@code ollama.streams.max-concurrent}</td><td>256 live streams, then {@code RateLimitedException}</td></tr>
 * </table>
 *
 * <pre>{@code
 * OllamaConfig config = OllamaConfig.from(Settings.of(Map.of("ollama.host", "gpu-box:11434")));
 * OllamaConfig same = OllamaConfig.builder().host("gpu-box:11434").build(); // env ignored
 * }</pre>
 */
public record OllamaConfig(
    URI host,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration streamIdleTimeout,
    BreakerSettings circuitBreaker,
    RateLimitSettings rateLimit,
    RetrySettings retry,
    Duration modelLoadThreshold,
    boolean metricsEnabled,
    int maxConcurrentStreams,
    Duration streamTotalTimeout,
    int maxResponseBytes,
    List<URI> hosts,
    Duration hostRetryAfter) {

  public static final String HOST = "ollama.host";
  public static final String HOSTS = "ollama.hosts";
  public static final String HOST_RETRY_AFTER = "ollama.hosts.retry-after";

  /** The most hosts one client routes over; a fleet beyond it belongs behind the proxy. */
  public static final int MAX_HOSTS = 64;

  public static final Duration DEFAULT_HOST_RETRY_AFTER = Duration.ofSeconds(10);
  public static final String CONNECT_TIMEOUT = "ollama.timeout.connect";
  public static final String REQUEST_TIMEOUT = "ollama.timeout.request";
  public static final String STREAM_IDLE_TIMEOUT = "ollama.timeout.stream-idle";
  public static final String BREAKER_ENABLED = "ollama.circuit-breaker.enabled";
  public static final String BREAKER_FAILURE_THRESHOLD = "ollama.circuit-breaker.failure-threshold";
  public static final String BREAKER_OPEN_DURATION = "ollama.circuit-breaker.open-duration";
  public static final String BREAKER_HALF_OPEN_CALLS = "ollama.circuit-breaker.half-open-calls";
  public static final String RATE_LIMIT_ENABLED = "ollama.rate-limit.enabled";
  public static final String RATE_LIMIT_RPS = "ollama.rate-limit.requests-per-second";
  public static final String RATE_LIMIT_BURST = "ollama.rate-limit.burst";
  public static final String RATE_LIMIT_MAX_WAIT = "ollama.rate-limit.max-wait";
  public static final String RETRY_MAX_ATTEMPTS = "ollama.retry.max-attempts";
  public static final String RETRY_INITIAL_BACKOFF = "ollama.retry.initial-backoff";
  public static final String RETRY_MULTIPLIER = "ollama.retry.multiplier";
  public static final String RETRY_MAX_BACKOFF = "ollama.retry.max-backoff";
  public static final String RETRY_JITTER = "ollama.retry.jitter";
  public static final String MODEL_LOAD_THRESHOLD = "ollama.metrics.model-load-threshold";
  public static final String METRICS_ENABLED = "ollama.metrics.enabled";
  public static final String STREAMS_MAX_CONCURRENT = "ollama.streams.max-concurrent";
  public static final String STREAM_TOTAL_TIMEOUT = "ollama.timeout.stream-total";
  public static final String MAX_RESPONSE_BYTES = "ollama.max-response-bytes";

  /**
   * How long a stream may run in all: far above a long generation, so only an endless or runaway
   * stream reaches it.
   */
  public static final Duration DEFAULT_STREAM_TOTAL_TIMEOUT = Duration.ofMinutes(30);

  /**
   * The largest answer accepted: a non-streamed body, the text of a stream, one line of a stream.
   * 64 MiB holds about 1 100 embeddings of 4 096 dimensions (about 6 000 of 768) in one embed
   * answer, or hours of generated text; beyond it an endless or hostile body would only grow the
   * heap.
   */
  public static final int DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

  /**
   * Live streams per client: far above what one Ollama server serves at once ({@code
   * OLLAMA_NUM_PARALLEL}), so only a leak or a runaway caller reaches it.
   */
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 256;

  /** The environment variable Ollama itself reads. */
  public static final String OLLAMA_HOST_ENV = "OLLAMA_HOST";

  public OllamaConfig {
    requireNonNull(host, "host is null");
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(requestTimeout, "requestTimeout");
    requirePositive(streamIdleTimeout, "streamIdleTimeout");
    requireNonNull(circuitBreaker, "circuitBreaker is null");
    requireNonNull(rateLimit, "rateLimit is null");
    requireNonNull(retry, "retry is null");
    requireNonNull(modelLoadThreshold, "modelLoadThreshold is null");
    if (maxConcurrentStreams < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentStreams must be positive: " + maxConcurrentStreams);
    }
    requirePositive(streamTotalTimeout, "streamTotalTimeout");
    if (maxResponseBytes < 1) {
      throw new IllegalArgumentException("maxResponseBytes must be positive: " + maxResponseBytes);
    }
    hosts = hosts == null || hosts.isEmpty() ? List.of(host) : List.copyOf(hosts);
    if (!hosts.get(0).equals(host)) {
      throw new IllegalArgumentException(
          "host must be the first of hosts: " + host + " is not " + hosts.get(0));
    }
    if (hosts.size() > MAX_HOSTS || new LinkedHashSet<>(hosts).size() != hosts.size()) {
      throw new IllegalArgumentException(
          "hosts must be at most " + MAX_HOSTS + " distinct servers: " + hosts);
    }
    requirePositive(hostRetryAfter, "hostRetryAfter");
  }

  /** The defaults, ignoring the environment. */
  public static OllamaConfig defaults() {
    return from(Settings.empty(), Map.of());
  }

  /** The settings' values, with {@code OLLAMA_HOST} from the process environment. */
  public static OllamaConfig from(Settings settings) {
    return from(settings, System.getenv());
  }

  /** The settings' values, with {@code OLLAMA_HOST} from {@code environment}. */
  public static OllamaConfig from(Settings settings, Map<String, String> environment) {
    requireNonNull(settings, "settings is null");
    requireNonNull(environment, "environment is null");
    List<URI> hosts = hosts(settings, environment);
    return new OllamaConfig(
        hosts.get(0),
        positive(settings, CONNECT_TIMEOUT, Duration.ofSeconds(10)),
        positive(settings, REQUEST_TIMEOUT, Duration.ofMinutes(5)),
        positive(settings, STREAM_IDLE_TIMEOUT, Duration.ofSeconds(60)),
        new BreakerSettings(
            settings.getBoolean(BREAKER_ENABLED, true),
            settings.getInt(BREAKER_FAILURE_THRESHOLD, 5, 1, 1000),
            positive(settings, BREAKER_OPEN_DURATION, Duration.ofSeconds(30)),
            settings.getInt(BREAKER_HALF_OPEN_CALLS, 1, 1, 1000)),
        new RateLimitSettings(
            settings.getBoolean(RATE_LIMIT_ENABLED, true),
            positiveDouble(settings, RATE_LIMIT_RPS, 10.0),
            settings.getInt(RATE_LIMIT_BURST, 20, 1, 1_000_000),
            settings.getDuration(RATE_LIMIT_MAX_WAIT, Duration.ofSeconds(30))),
        new RetrySettings(
            settings.getInt(RETRY_MAX_ATTEMPTS, 3, 1, 100),
            positive(settings, RETRY_INITIAL_BACKOFF, Duration.ofMillis(500)),
            atLeast(settings, RETRY_MULTIPLIER, 2.0, 1.0),
            positive(settings, RETRY_MAX_BACKOFF, Duration.ofSeconds(10)),
            fraction(settings, RETRY_JITTER, 0.5)),
        settings.getDuration(MODEL_LOAD_THRESHOLD, Duration.ofMillis(100)),
        settings.getBoolean(METRICS_ENABLED, true),
        settings.getInt(STREAMS_MAX_CONCURRENT, DEFAULT_MAX_CONCURRENT_STREAMS, 1, 10_000),
        positive(settings, STREAM_TOTAL_TIMEOUT, DEFAULT_STREAM_TOTAL_TIMEOUT),
        // from 1 KiB (Ollama's smallest answers) to 1 GiB (a Java array's reach, with room)
        settings.getInt(MAX_RESPONSE_BYTES, DEFAULT_MAX_RESPONSE_BYTES, 1024, 1 << 30),
        hosts,
        positive(settings, HOST_RETRY_AFTER, DEFAULT_HOST_RETRY_AFTER));
  }

  /** Whether this client routes over several servers ({@code ollama.hosts}). */
  public boolean isFleet() {
    return hosts.size() > 1;
  }

  /** This config with another, single host. */
  public OllamaConfig withHost(URI newHost) {
    return toBuilder().host(newHost).build();
  }

  /**
   * A builder that starts from {@link #defaults()} (the environment ignored): set what differs.
   *
   * <pre>{@code
   * OllamaConfig config =
   *     OllamaConfig.builder().host("gpu-box:11434").requestTimeout(Duration.ofMinutes(2)).build();
   * }</pre>
   */
  public static Builder builder() {
    return defaults().toBuilder();
  }

  /** A builder that starts from this config's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Builds an {@link OllamaConfig} a value at a time; {@link #build()} checks them as the record's
   * constructor does ({@link IllegalArgumentException} naming the value). Not thread safe.
   */
  public static final class Builder {
    private List<URI> hosts;
    private Duration connectTimeout;
    private Duration requestTimeout;
    private Duration streamIdleTimeout;
    private BreakerSettings circuitBreaker;
    private RateLimitSettings rateLimit;
    private RetrySettings retry;
    private Duration modelLoadThreshold;
    private boolean metricsEnabled;
    private int maxConcurrentStreams;
    private Duration streamTotalTimeout;
    private int maxResponseBytes;
    private Duration hostRetryAfter;

    private Builder(OllamaConfig from) {
      hosts = from.hosts;
      connectTimeout = from.connectTimeout;
      requestTimeout = from.requestTimeout;
      streamIdleTimeout = from.streamIdleTimeout;
      circuitBreaker = from.circuitBreaker;
      rateLimit = from.rateLimit;
      retry = from.retry;
      modelLoadThreshold = from.modelLoadThreshold;
      metricsEnabled = from.metricsEnabled;
      maxConcurrentStreams = from.maxConcurrentStreams;
      streamTotalTimeout = from.streamTotalTimeout;
      maxResponseBytes = from.maxResponseBytes;
      hostRetryAfter = from.hostRetryAfter;
    }

    /** One server ({@code ollama.host}); replaces any fleet set before. */
    public Builder host(URI host) {
      this.hosts = List.of(requireNonNull(host, "host is null"));
      return this;
    }

    /**
     * One server written as {@code ollama.host} or {@code OLLAMA_HOST} take it: {@code host},
     * {@code host:port} or {@code http://host:port}.
     *
     * @throws IllegalArgumentException if {@code host} is none of those
     */
    public Builder host(String host) {
      return host(OllamaHost.parse(requireNonNull(host, "host is null")));
    }

    /** A fleet ({@code ollama.hosts}): at most {@value #MAX_HOSTS} distinct servers. */
    public Builder hosts(List<URI> hosts) {
      requireNonNull(hosts, "hosts is null");
      if (hosts.isEmpty()) {
        throw new IllegalArgumentException("hosts is empty: name at least one server");
      }
      this.hosts = List.copyOf(hosts);
      return this;
    }

    /** {@code ollama.timeout.connect}. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** {@code ollama.timeout.request}: a whole non-streaming call, a stream's first chunk. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /** {@code ollama.timeout.stream-idle}: the longest wait for a stream's next bytes. */
    public Builder streamIdleTimeout(Duration streamIdleTimeout) {
      this.streamIdleTimeout = streamIdleTimeout;
      return this;
    }

    /** {@code ollama.timeout.stream-total}: a whole stream, retries included. */
    public Builder streamTotalTimeout(Duration streamTotalTimeout) {
      this.streamTotalTimeout = streamTotalTimeout;
      return this;
    }

    /** {@code ollama.circuit-breaker.*}. */
    public Builder circuitBreaker(BreakerSettings circuitBreaker) {
      this.circuitBreaker = circuitBreaker;
      return this;
    }

    /** {@code ollama.rate-limit.*}. */
    public Builder rateLimit(RateLimitSettings rateLimit) {
      this.rateLimit = rateLimit;
      return this;
    }

    /** {@code ollama.retry.*}. */
    public Builder retry(RetrySettings retry) {
      this.retry = retry;
      return this;
    }

    /** {@code ollama.metrics.model-load-threshold}: a smaller {@code load_duration} is no load. */
    public Builder modelLoadThreshold(Duration modelLoadThreshold) {
      this.modelLoadThreshold = modelLoadThreshold;
      return this;
    }

    /** {@code ollama.metrics.enabled}: false leaves every client family out of the registry. */
    public Builder metricsEnabled(boolean metricsEnabled) {
      this.metricsEnabled = metricsEnabled;
      return this;
    }

    /** {@code ollama.streams.max-concurrent}: live streams, then {@code RateLimitedException}. */
    public Builder maxConcurrentStreams(int maxConcurrentStreams) {
      this.maxConcurrentStreams = maxConcurrentStreams;
      return this;
    }

    /** {@code ollama.max-response-bytes}: a non-streamed body, a stream's text, one line. */
    public Builder maxResponseBytes(int maxResponseBytes) {
      this.maxResponseBytes = maxResponseBytes;
      return this;
    }

    /** {@code ollama.hosts.retry-after}: how long a server that refused is skipped. */
    public Builder hostRetryAfter(Duration hostRetryAfter) {
      this.hostRetryAfter = hostRetryAfter;
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException if a value is out of its range (the message names it)
     * @throws NullPointerException if a value was set to {@code null}
     */
    public OllamaConfig build() {
      return new OllamaConfig(
          hosts.get(0),
          connectTimeout,
          requestTimeout,
          streamIdleTimeout,
          circuitBreaker,
          rateLimit,
          retry,
          modelLoadThreshold,
          metricsEnabled,
          maxConcurrentStreams,
          streamTotalTimeout,
          maxResponseBytes,
          hosts,
          hostRetryAfter);
    }
  }

  /**
   * The per-model circuit breaker: it opens after {@code failureThreshold} consecutive failed
   * calls, rejects calls for {@code openDuration}, then lets {@code halfOpenCalls} trial calls
   * through; it closes if they all succeed and opens again if one fails.
   */
  public record BreakerSettings(
      boolean enabled, int failureThreshold, Duration openDuration, int halfOpenCalls) {
    public BreakerSettings {
      requirePositive(openDuration, "openDuration");
    }
  }

  /**
   * A token bucket shared by every call of the client: it holds up to {@code burst} tokens, refills
   * at {@code requestsPerSecond}, and every attempt takes one. An attempt that would wait longer
   * than {@code maxWait} fails with {@code RateLimitedException} instead.
   */
  public record RateLimitSettings(
      boolean enabled, double requestsPerSecond, int burst, Duration maxWait) {
    public RateLimitSettings {
      requireNonNull(maxWait, "maxWait is null");
    }
  }

  /**
   * Retries of retryable failures: {@code maxAttempts} counts every attempt including the first.
   * The n-th wait is {@code initialBackoff * multiplier^(n-1)}, capped at {@code maxBackoff}, then
   * drawn uniformly from {@code ±jitter} of itself.
   */
  public record RetrySettings(
      int maxAttempts,
      Duration initialBackoff,
      double multiplier,
      Duration maxBackoff,
      double jitter) {
    public RetrySettings {
      requirePositive(initialBackoff, "initialBackoff");
      requirePositive(maxBackoff, "maxBackoff");
    }
  }

  /**
   * {@code ollama.hosts} if set (then neither {@code ollama.host} nor {@code OLLAMA_HOST} count),
   * else the one host of {@code ollama.host} or {@code OLLAMA_HOST}.
   */
  private static List<URI> hosts(Settings settings, Map<String, String> environment) {
    String list = settings.get(HOSTS).orElse(null);
    if (list == null) {
      return List.of(host(settings, environment));
    }
    if (settings.get(HOST).isPresent()) {
      throw new ConfigException(
          "Settings '" + HOST + "' and '" + HOSTS + "' are both set: set one of them");
    }
    String[] parts = list.split(",", -1);
    if (parts.length > MAX_HOSTS) {
      throw new ConfigException(
          "Setting '"
              + HOSTS
              + "' lists "
              + parts.length
              + " servers; at most "
              + MAX_HOSTS
              + " are allowed");
    }
    List<URI> hosts = new ArrayList<>();
    Set<URI> seen = new LinkedHashSet<>();
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i].strip();
      if (part.isEmpty()) {
        throw new ConfigException(
            "Setting '" + HOSTS + "': entry " + (i + 1) + " is empty (expected URL,URL,...)");
      }
      URI uri;
      try {
        uri = OllamaHost.parse(part);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "Invalid entry "
                + (i + 1)
                + " '"
                + OllamaHost.redacted(part)
                + "' in setting '"
                + HOSTS
                + "': expected host, host:port or http://host:port ("
                + e.getMessage()
                + ")",
            e);
      }
      if (!seen.add(uri)) {
        throw new ConfigException(
            "Setting '" + HOSTS + "' lists " + uri + " twice (entry " + (i + 1) + ")");
      }
      hosts.add(uri);
    }
    return List.copyOf(hosts);
  }

  private static URI host(Settings settings, Map<String, String> environment) {
    String fromSettings = settings.get(HOST).orElse(null);
    String key = fromSettings != null ? HOST : OLLAMA_HOST_ENV;
    String value = fromSettings != null ? fromSettings : environment.get(OLLAMA_HOST_ENV);
    if (value == null || value.isBlank()) {
      return OllamaHost.DEFAULT;
    }
    try {
      return OllamaHost.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Invalid value '"
              + OllamaHost.redacted(value.strip())
              + "' for "
              + (key.equals(HOST) ? "setting '" + HOST + "'" : "environment variable " + key)
              + ": expected host, host:port or http://host:port ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  private static Duration positive(Settings settings, String key, Duration defaultValue) {
    Duration value = settings.getDuration(key, defaultValue);
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException(
          "Invalid value '" + value + "' for setting '" + key + "': expected a positive duration");
    }
    return value;
  }

  private static double positiveDouble(Settings settings, String key, double defaultValue) {
    double value = settings.getDouble(key, defaultValue);
    if (value <= 0) {
      throw new ConfigException(
          "Invalid value '" + value + "' for setting '" + key + "': expected a positive number");
    }
    return value;
  }

  private static double atLeast(Settings settings, String key, double defaultValue, double min) {
    double value = settings.getDouble(key, defaultValue);
    if (value < min) {
      throw new ConfigException(
          "Invalid value '" + value + "' for setting '" + key + "': expected at least " + min);
    }
    return value;
  }

  private static double fraction(Settings settings, String key, double defaultValue) {
    double value = settings.getDouble(key, defaultValue);
    if (value < 0 || value >= 1) {
      throw new ConfigException(
          "Invalid value '"
              + value
              + "' for setting '"
              + key
              + "': expected a number from 0 up to (not including) 1");
    }
    return value;
  }

  private static void requirePositive(Duration duration, String name) {
    requireNonNull(duration, name + " is null");
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
  }
}
