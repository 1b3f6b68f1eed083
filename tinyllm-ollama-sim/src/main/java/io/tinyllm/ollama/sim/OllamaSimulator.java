package io.tinyllm.ollama.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A protocol-faithful Ollama server on loopback, for tests and demos without real models. It speaks
 * Ollama's HTTP API (streaming NDJSON, statistics in nanoseconds, Ollama's error texts), answers
 * deterministically, simulates Ollama's scheduler (load times, keep-alive, parallel slots and the
 * pending queue), speed and prompt caching, and injects faults on demand.
 *
 * <pre>{@code
 * try (OllamaSimulator sim = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build())) {
 *   URI base = sim.baseUri();                 // http://127.0.0.1:<port>
 *   // ... point the client at base, then:
 *   sim.faults().failNext(1, 503);
 *   assertThat(sim.stats().requests(Endpoint.CHAT)).isEqualTo(2);
 * }
 * }</pre>
 *
 * <p>Ollama's Go server answers with TCP_NODELAY; the JDK server does so only when the JVM starts
 * with {@code -Dsun.net.httpserver.nodelay=true}. Without it Nagle's algorithm and delayed ACKs
 * stall small answers about 40 ms and batch streamed tokens. The simulator does not set JVM-wide
 * properties itself: the {@code tinyllm} launcher passes the flag, and tests that embed the
 * simulator should pass it too (for example in surefire's {@code systemPropertyVariables}).
 */
public final class OllamaSimulator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OllamaSimulator.class);
  private static final AtomicInteger SERVERS = new AtomicInteger();

  private final SimulatorConfig config;
  private final HttpServer server;
  private final ExecutorService executor;
  private final CountDownLatch stopped;
  private final SimulatorContext ctx;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final URI baseUri;

  private OllamaSimulator(
      SimulatorConfig config,
      HttpServer server,
      ExecutorService executor,
      CountDownLatch stopped,
      SimulatorContext ctx) {
    this.config = requireNonNull(config, "config is null");
    this.server = requireNonNull(server, "server is null");
    this.executor = requireNonNull(executor, "executor is null");
    this.stopped = requireNonNull(stopped, "stopped is null");
    this.ctx = requireNonNull(ctx, "ctx is null");
    InetSocketAddress address = server.getAddress();
    String host =
        address.getAddress() instanceof Inet6Address
            ? "[" + address.getAddress().getHostAddress() + "]"
            : address.getAddress().getHostAddress();
    this.baseUri = URI.create("http://" + host + ":" + address.getPort());
  }

  /** Starts a simulator with the default configuration on an ephemeral loopback port. */
  public static OllamaSimulator start() throws IOException {
    return start(SimulatorConfig.defaults());
  }

  /**
   * Starts a simulator listening on {@link SimulatorConfig#bindAddress()} and {@link
   * SimulatorConfig#port()}.
   *
   * @throws IOException if the port cannot be bound
   */
  public static OllamaSimulator start(SimulatorConfig config) throws IOException {
    requireNonNull(config, "config is null");
    InetAddress address = InetAddress.getByName(config.bindAddress());
    HttpServer server = HttpServer.create(new InetSocketAddress(address, config.port()), 128);
    int id = SERVERS.incrementAndGet();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            config.threads(),
            config.threads(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemonThreads("ollama-sim-" + id + "-"));
    executor.allowCoreThreadTimeOut(true);
    CountDownLatch stopped = new CountDownLatch(1);
    // Jackson caps a JSON string at 20 M characters by default; Ollama reads base64 images of
    // any size, so the only bound is the request body's
    ObjectMapper mapper =
        new ObjectMapper(
            JsonFactory.builder()
                .streamReadConstraints(
                    StreamReadConstraints.builder()
                        .maxStringLength(config.maxRequestBytes())
                        .build())
                .build());
    Pacer pacer = new Pacer(config.timeScale(), stopped);
    SimulatorStats stats = new SimulatorStats();
    Scheduler scheduler =
        new Scheduler(
            config.numParallel(),
            config.maxQueue(),
            config.defaultKeepAlive(),
            config.cpuOnly(),
            pacer,
            stats,
            config.clock());
    SimulatorContext ctx =
        new SimulatorContext(
            config,
            mapper,
            new ModelRegistry(config.models(), config.catalog()),
            new AnswerGenerator(mapper, config.cannedAnswers()),
            scheduler,
            pacer,
            stats,
            new FaultInjector(config.faultSeed(), config.maxHold()));
    server.createContext(
        "/", new SimulatorHandler(ctx, new OriginPolicy(address.isLoopbackAddress())));
    server.setExecutor(executor);
    server.start();
    OllamaSimulator simulator = new OllamaSimulator(config, server, executor, stopped, ctx);
    log.info("Ollama simulator listening on {}", simulator.baseUri());
    return simulator;
  }

  /** The base URI, e.g. {@code http://127.0.0.1:43127}, without trailing slash. */
  public URI baseUri() {
    return baseUri;
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The configuration this simulator started with. */
  public SimulatorConfig config() {
    return config;
  }

  /** Runtime fault injection. */
  public FaultInjector faults() {
    return ctx.faults;
  }

  /** Request counters. */
  public SimulatorStats stats() {
    return ctx.stats;
  }

  /** Answers {@code prompt} (or a chat whose last user message is {@code prompt}) with text. */
  public void putCannedAnswer(String prompt, String answer) {
    ctx.answers.putCanned(
        requireNonNull(prompt, "prompt is null"), requireNonNull(answer, "answer is null"));
  }

  /** Forgets the canned answer for {@code prompt}. */
  public void removeCannedAnswer(String prompt) {
    ctx.answers.removeCanned(requireNonNull(prompt, "prompt is null"));
  }

  /** Installs {@code model} now (as a finished pull would). */
  public void installModel(SimulatedModel model) {
    ctx.registry.install(requireNonNull(model, "model is null"));
  }

  /** Removes the installed model {@code name}; false if it was not installed. */
  public boolean removeModel(String name) {
    requireNonNull(name, "name is null");
    ctx.scheduler.forget(name);
    return ctx.registry.remove(name);
  }

  /** The names of the installed models, most recently modified first. */
  public List<String> installedModels() {
    return ctx.registry.installed().stream().map(i -> i.model().name()).toList();
  }

  /** Whether {@code model} is loaded now (as {@code /api/ps} would list it). */
  public boolean isLoaded(String model) {
    return ctx.scheduler.isLoaded(requireNonNull(model, "model is null"));
  }

  /** Unloads every model not in use, so the next request pays the load time again. */
  public void unloadAll() {
    ctx.scheduler.unloadAll();
  }

  /**
   * Stops listening, releases every held or sleeping request (their connections are dropped) and
   * stops the handler threads. A request that still reaches the closing simulator is dropped
   * unanswered. Returns within about a second; calling it again does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopServing();
    server.stop(0);
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
        log.warn("simulator handler threads still running after close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Ollama simulator on {} stopped", baseUri);
  }

  /**
   * The first step of {@link #close()}: wakes every wait, so held and slow requests are dropped at
   * once, and from then on a request that still reaches the port is dropped unanswered. The JDK
   * server lets go of its port only after it dropped its connections, so a client that tries again
   * at once may still connect in between.
   */
  void stopServing() {
    stopped.countDown();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      // never keep a JVM alive because a test forgot to close the simulator
      thread.setDaemon(true);
      return thread;
    };
  }
}
