package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an {@link OllamaSimulator} behaves: where it listens, which models it has, how many requests
 * it runs at once and queues, how fast time passes. Immutable; start from {@link #builder()} (or
 * {@link #defaults()} for everything default on an ephemeral port).
 *
 * <pre>{@code
 * SimulatorConfig config = SimulatorConfig.builder()
 *     .timeScale(0.01)                  // 100x faster than the models' nominal speeds
 *     .numParallel(2)                   // OLLAMA_NUM_PARALLEL
 *     .cannedAnswer("ping", "pong")
 *     .build();
 * }</pre>
 */
public final class SimulatorConfig {
  /** Ollama's default port. */
  public static final int OLLAMA_PORT = 11434;

  private final String bindAddress;
  private final int port;
  private final String version;
  private final List<SimulatedModel> models;
  private final List<SimulatedModel> pullableModels;
  private final int numParallel;
  private final int maxQueue;
  private final boolean cpuOnly;
  private final Duration defaultKeepAlive;
  private final int defaultNumCtx;
  private final double timeScale;
  private final int pullSteps;
  private final Duration pullStepDelay;
  private final long faultSeed;
  private final Map<String, String> cannedAnswers;
  private final Duration maxHold;
  private final int threads;
  private final int maxRequestBytes;
  private final Clock clock;

  private SimulatorConfig(Builder b) {
    this.bindAddress = b.bindAddress;
    this.port = b.port;
    this.version = b.version;
    this.models = List.copyOf(b.models.values());
    this.pullableModels = List.copyOf(b.pullable.values());
    this.numParallel = b.numParallel;
    this.maxQueue = b.maxQueue;
    this.cpuOnly = b.cpuOnly;
    this.defaultKeepAlive = b.defaultKeepAlive;
    this.defaultNumCtx = b.defaultNumCtx;
    this.timeScale = b.timeScale;
    this.pullSteps = b.pullSteps;
    this.pullStepDelay = b.pullStepDelay;
    this.faultSeed = b.faultSeed;
    this.cannedAnswers = Collections.unmodifiableMap(new LinkedHashMap<>(b.cannedAnswers));
    this.maxHold = b.maxHold;
    this.threads = b.threads;
    this.maxRequestBytes = b.maxRequestBytes;
    this.clock = b.clock;
  }

  /** Everything default, listening on an ephemeral loopback port. */
  public static SimulatorConfig defaults() {
    return builder().build();
  }

  /** A builder with every default set. */
  public static Builder builder() {
    return new Builder();
  }

  /** The address to bind (default {@code 127.0.0.1}, loopback). */
  public String bindAddress() {
    return bindAddress;
  }

  /** The port to bind; 0 picks a free one (default 0). */
  public int port() {
    return port;
  }

  /** What {@code /api/version} reports (default {@code 0.13.5}). */
  public String version() {
    return version;
  }

  /** The models installed at start, in order. */
  public List<SimulatedModel> models() {
    return models;
  }

  /**
   * The models {@code /api/pull} can fetch besides the installed ones (default {@link
   * SimulatedModel#pullableExtras()}).
   */
  public List<SimulatedModel> pullableModels() {
    return pullableModels;
  }

  /**
   * Requests each loaded model evaluates at once (OLLAMA_NUM_PARALLEL; default 1, as Ollama);
   * further requests for it wait for a slot, however many. Embedding models always get one.
   */
  public int numParallel() {
    return numParallel;
  }

  /** The same as {@link #numParallel()}. */
  public int maxParallel() {
    return numParallel;
  }

  /**
   * Requests that may wait for the scheduler to load a model (OLLAMA_MAX_QUEUE; default 512, as
   * Ollama); one more beyond that gets 503 {@code server busy, please try again. maximum pending
   * requests exceeded}. Requests for a loaded model do not count: they wait for a slot instead.
   */
  public int maxQueue() {
    return maxQueue;
  }

  /**
   * Whether the host has no GPU: {@code /api/ps} then reports {@code size_vram} 0 for every model
   * (default false: fully on the GPU, unless a request loads it with {@code num_gpu: 0}).
   */
  public boolean cpuOnly() {
    return cpuOnly;
  }

  /** Keep-alive when a request gives none (default 5 minutes, as Ollama). */
  public Duration defaultKeepAlive() {
    return defaultKeepAlive;
  }

  /** Context size when a request gives no {@code num_ctx} (default 4096, as Ollama). */
  public int defaultNumCtx() {
    return defaultNumCtx;
  }

  /**
   * Multiplier applied to every simulated model delay (load, first token, per token) and to the
   * pull step delay; 0.01 makes everything 100 times faster (default 1). Fault delays are not
   * scaled.
   */
  public double timeScale() {
    return timeScale;
  }

  /** What models' keep-alive expiry is read against (default the system clock). */
  public Clock clock() {
    return clock;
  }

  /** Progress lines per layer of a pull (default 4). */
  public int pullSteps() {
    return pullSteps;
  }

  /** Delay between pull progress lines (default 2 ms, scaled by {@link #timeScale()}). */
  public Duration pullStepDelay() {
    return pullStepDelay;
  }

  /** Seed of the random source deciding which requests an error rate fails (default 42). */
  public long faultSeed() {
    return faultSeed;
  }

  /** Fixed answers keyed by exact prompt (generate) or last user message (chat). */
  public Map<String, String> cannedAnswers() {
    return cannedAnswers;
  }

  /** Upper bound of any injected hang or delay (default 60 s). */
  public Duration maxHold() {
    return maxHold;
  }

  /** HTTP handler threads (default 32); must exceed the requests you expect at once. */
  public int threads() {
    return threads;
  }

  /**
   * Largest request body accepted (default 256 MiB); larger gets 413 {@code http: request body too
   * large}. Ollama itself sets no limit (base64 images of several MB are normal); the simulator
   * keeps a generous one because it reads each body into memory.
   */
  public int maxRequestBytes() {
    return maxRequestBytes;
  }

  /** For {@link OllamaSimulator}: every model pull can fetch (pullable plus installed). */
  List<SimulatedModel> catalog() {
    List<SimulatedModel> all = new ArrayList<>(pullableModels);
    all.addAll(models);
    return all;
  }

  /** Builds a {@link SimulatorConfig}; every setter validates its argument. */
  public static final class Builder {
    private String bindAddress = "127.0.0.1";
    private int port;
    private String version = "0.13.5";
    private final Map<String, SimulatedModel> models = new LinkedHashMap<>();
    private final Map<String, SimulatedModel> pullable = new LinkedHashMap<>();
    // envconfig.NumParallel and envconfig.MaxQueue defaults of Ollama v0.13.5
    private int numParallel = 1;
    private int maxQueue = 512;
    private boolean cpuOnly;
    private Duration defaultKeepAlive = Duration.ofMinutes(5);
    private int defaultNumCtx = 4096;
    private double timeScale = 1.0;
    private Clock clock = Clock.systemUTC();
    private int pullSteps = 4;
    private Duration pullStepDelay = Duration.ofMillis(2);
    private long faultSeed = 42;
    private final Map<String, String> cannedAnswers = new LinkedHashMap<>();
    private Duration maxHold = Duration.ofSeconds(60);
    private int threads = 32;
    private int maxRequestBytes = 256 * 1024 * 1024;

    private Builder() {
      SimulatedModel.defaults().forEach(this::model);
      SimulatedModel.pullableExtras().forEach(this::pullable);
    }

    /**
     * Sets the address to bind: loopback by default; another address (such as {@code 0.0.0.0}
     * inside a container) only when asked for explicitly.
     */
    public Builder bindAddress(String bindAddress) {
      requireNonNull(bindAddress, "bindAddress is null");
      try {
        InetAddress.getByName(bindAddress);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("unknown address: " + bindAddress, e);
      }
      this.bindAddress = bindAddress;
      return this;
    }

    /** Sets the port; 0 picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in [0, 65535]");
      }
      this.port = port;
      return this;
    }

    /** Sets what {@code /api/version} reports. */
    public Builder version(String version) {
      this.version = requireNonNull(version, "version is null");
      return this;
    }

    /** Installs {@code model}, replacing an installed model of the same name. */
    public Builder model(SimulatedModel model) {
      requireNonNull(model, "model is null");
      models.put(model.name(), model);
      return this;
    }

    /** Replaces all installed models. */
    public Builder models(List<SimulatedModel> models) {
      requireNonNull(models, "models is null");
      this.models.clear();
      models.forEach(this::model);
      return this;
    }

    /** Removes the installed model {@code name} (e.g. {@code qwen2.5:3b}). */
    public Builder withoutModel(String name) {
      requireNonNull(name, "name is null");
      models.remove(ModelName.normalize(name));
      return this;
    }

    /** Makes {@code model} available to {@code /api/pull} without installing it. */
    public Builder pullable(SimulatedModel model) {
      requireNonNull(model, "model is null");
      pullable.put(model.name(), model);
      return this;
    }

    /** Replaces the models available to {@code /api/pull} (installed ones stay pullable). */
    public Builder pullableModels(List<SimulatedModel> models) {
      requireNonNull(models, "models is null");
      pullable.clear();
      models.forEach(this::pullable);
      return this;
    }

    /** Sets how many requests each loaded model evaluates at once (1 to 1024). */
    public Builder numParallel(int numParallel) {
      this.numParallel = range(numParallel, 1, 1024, "numParallel");
      return this;
    }

    /** The same as {@link #numParallel(int)}. */
    public Builder maxParallel(int maxParallel) {
      return numParallel(maxParallel);
    }

    /** Sets how many requests may wait for a model load (0 to 1,000,000). */
    public Builder maxQueue(int maxQueue) {
      this.maxQueue = range(maxQueue, 0, 1_000_000, "maxQueue");
      return this;
    }

    /** Sets whether the host is CPU-only ({@code size_vram} 0 in {@code /api/ps}). */
    public Builder cpuOnly(boolean cpuOnly) {
      this.cpuOnly = cpuOnly;
      return this;
    }

    /** Sets the keep-alive used when a request gives none. */
    public Builder defaultKeepAlive(Duration defaultKeepAlive) {
      requireNonNull(defaultKeepAlive, "defaultKeepAlive is null");
      this.defaultKeepAlive = defaultKeepAlive.isNegative() ? GoDuration.FOREVER : defaultKeepAlive;
      return this;
    }

    /** Sets the context size used when a request gives no {@code num_ctx}. */
    public Builder defaultNumCtx(int defaultNumCtx) {
      this.defaultNumCtx = range(defaultNumCtx, 1, 1 << 24, "defaultNumCtx");
      return this;
    }

    /**
     * The clock models' keep-alive expiry is read against; a test passes one it moves, so a model
     * expires without waiting out its keep-alive.
     */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock is null");
      return this;
    }

    /** Sets the time scale (0 to 100; 0 removes all simulated model delays). */
    public Builder timeScale(double timeScale) {
      if (!(timeScale >= 0 && timeScale <= 100)) {
        throw new IllegalArgumentException("timeScale must be in [0, 100]");
      }
      this.timeScale = timeScale;
      return this;
    }

    /** Sets the progress lines per pulled layer (1 to 1000). */
    public Builder pullSteps(int pullSteps) {
      this.pullSteps = range(pullSteps, 1, 1000, "pullSteps");
      return this;
    }

    /** Sets the delay between pull progress lines (0 to 10 s). */
    public Builder pullStepDelay(Duration pullStepDelay) {
      this.pullStepDelay = duration(pullStepDelay, Duration.ofSeconds(10), "pullStepDelay");
      return this;
    }

    /** Sets the seed deciding which requests an error rate fails. */
    public Builder faultSeed(long faultSeed) {
      this.faultSeed = faultSeed;
      return this;
    }

    /** Answers {@code prompt} (generate) or a last user message equal to it (chat) with text. */
    public Builder cannedAnswer(String prompt, String answer) {
      cannedAnswers.put(
          requireNonNull(prompt, "prompt is null"), requireNonNull(answer, "answer is null"));
      return this;
    }

    /** Sets the upper bound of injected hangs and delays (1 ms to 10 minutes). */
    public Builder maxHold(Duration maxHold) {
      this.maxHold = duration(maxHold, Duration.ofMinutes(10), "maxHold");
      if (maxHold.isZero()) {
        throw new IllegalArgumentException("maxHold must be positive");
      }
      return this;
    }

    /** Sets the HTTP handler thread count (2 to 1024). */
    public Builder threads(int threads) {
      this.threads = range(threads, 2, 1024, "threads");
      return this;
    }

    /** Sets the largest accepted request body (1 KiB to 1 GiB). */
    public Builder maxRequestBytes(int maxRequestBytes) {
      this.maxRequestBytes = range(maxRequestBytes, 1024, 1024 * 1024 * 1024, "maxRequestBytes");
      return this;
    }

    /** The configuration. */
    public SimulatorConfig build() {
      return new SimulatorConfig(this);
    }

    private static int range(int value, int min, int max, String what) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(what + " must be in [" + min + ", " + max + "]");
      }
      return value;
    }

    private static Duration duration(Duration value, Duration max, String what) {
      requireNonNull(value, what + " is null");
      if (value.isNegative() || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(what + " must be between 0 and " + max);
      }
      return value;
    }
  }
}
