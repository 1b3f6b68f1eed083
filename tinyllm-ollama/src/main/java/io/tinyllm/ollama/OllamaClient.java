package io.tinyllm.ollama;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.CancelledException;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.error.LlmTimeoutException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.error.StreamException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.EmbedResponse;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.metrics.MetricsConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The {@link LlmClient} for Ollama, over {@code java.net.http}: generate, chat and embed, streaming
 * and not, plus model management. Every inference call goes through the rate limiter, the model's
 * circuit breaker and retries, and is recorded in {@link OllamaMetrics}. Thread safe.
 *
 * <pre>{@code
 * try (OllamaClient client = OllamaClient.create(OllamaConfig.from(settings))) {
 *   LlmResponse answer = client.generate(GenerateRequest.builder("qwen2.5:0.5b", "2+2?").build());
 *   StreamHandle stream = client.chatStream(chat, token -> System.out.print(token));
 *   stream.completion().join();
 * }
 * }</pre>
 *
 * <p>Model management ({@link #list}, {@link #running}, {@link #show}, {@link #pull}, {@link
 * #delete}, {@link #version}, {@link #health}) applies the timeouts and error mapping but no
 * breaker, rate limit or retry: those calls are rare and an operator wants their first answer.
 */
@Singleton
public final class OllamaClient implements LlmClient, AutoCloseable {
  private final OllamaConfig config;
  private final OllamaMetrics metrics;
  private final OllamaTransport transport;
  private final Resilience resilience;
  private final ExecutorService streams;
  private final StreamSlots streamSlots;

  /** A client whose rate limiter and breakers read the clock {@code metrics} times calls with. */
  @Inject
  public OllamaClient(OllamaConfig config, OllamaMetrics metrics) {
    this(config, metrics, metrics.ticker()::read);
  }

  /**
   * A client whose rate limiter and breakers read {@code clock}, in nanoseconds (tests pass a fake
   * clock).
   */
  OllamaClient(OllamaConfig config, OllamaMetrics metrics, LongSupplier clock) {
    this(config, metrics, clock, false);
  }

  private OllamaClient(
      OllamaConfig config, OllamaMetrics metrics, LongSupplier clock, boolean jdkClientOnly) {
    this.config = requireNonNull(config, "config is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.transport =
        new OllamaTransport(
            config, new HostRouter(config, metrics.ticker(), metrics.hosts()), jdkClientOnly);
    this.resilience =
        new Resilience(config, metrics.lazyResilience(), metrics::recordingFailures, clock);
    // one thread per live stream; StreamSlots bounds how many streams are live
    this.streams = Executors.newCachedThreadPool(new StreamThreads());
    this.streamSlots = new StreamSlots(config.maxConcurrentStreams());
  }

  /** A client with its own metrics (not registered anywhere), for use without an injector. */
  public static OllamaClient create(OllamaConfig config) {
    MetricsConfig defaults = MetricsConfig.defaults();
    LabelGuard guard = new LabelGuard(defaults.labelMaxValues(), defaults.labelMaxLength());
    return new OllamaClient(config, new OllamaMetrics(guard, config.modelLoadThreshold()));
  }

  /**
   * As {@link #create}, for a process that makes a call or two and then exits (a CLI command). Like
   * every client, it calls plain-HTTP servers without the JDK's {@code HttpClient}, whose set-up
   * and exit would cost such a process about half a second (docs/performance.md §7).
   */
  public static OllamaClient createOneShot(OllamaConfig config) {
    MetricsConfig defaults = MetricsConfig.defaults();
    LabelGuard guard = new LabelGuard(defaults.labelMaxValues(), defaults.labelMaxLength());
    OllamaMetrics metrics = new OllamaMetrics(guard, config.modelLoadThreshold());
    return new OllamaClient(config, metrics, metrics.ticker()::read, false);
  }

  /**
   * As {@link #create}, but every call goes through the JDK's {@code HttpClient}, plain HTTP too:
   * for tests that compare its answers and failures with those of the client's own HTTP/1.1 path.
   */
  static OllamaClient createOnJdkClient(OllamaConfig config) {
    MetricsConfig defaults = MetricsConfig.defaults();
    LabelGuard guard = new LabelGuard(defaults.labelMaxValues(), defaults.labelMaxLength());
    OllamaMetrics metrics = new OllamaMetrics(guard, config.modelLoadThreshold());
    return new OllamaClient(config, metrics, metrics.ticker()::read, true);
  }

  /** The server this client talks to; the first of them if it routes over several. */
  public URI host() {
    return config.host();
  }

  /** Every server this client routes over ({@code ollama.hosts}), or the one it talks to. */
  public List<URI> hosts() {
    return config.hosts();
  }

  public OllamaConfig config() {
    return config;
  }

  @Override
  public LlmResponse generate(GenerateRequest request) {
    requireNonNull(request, "request is null");
    return unary(
        request.model(),
        RequestType.GENERATE,
        () -> transport.post("/api/generate", OllamaJson.generateBody(request, false)),
        0,
        body -> completion(body, request.model()),
        OllamaMetrics.Call::succeeded);
  }

  @Override
  public LlmResponse chat(ChatRequest request) {
    requireNonNull(request, "request is null");
    return unary(
        request.model(),
        RequestType.CHAT,
        () -> transport.post("/api/chat", OllamaJson.chatBody(request, false)),
        Conversations.key(request),
        body -> completion(body, request.model()),
        OllamaMetrics.Call::succeeded);
  }

  @Override
  public EmbedResponse embed(EmbedRequest request) {
    requireNonNull(request, "request is null");
    return unary(
        request.model(),
        RequestType.EMBED,
        () -> transport.post("/api/embed", OllamaJson.embedBody(request)),
        0,
        body -> {
          Map<String, Object> node = checked(body, request.model());
          ReportedValues.check(node, request.model(), "embed answer");
          return OllamaJson.embedResponse(node, request.model());
        },
        OllamaMetrics.Call::succeeded);
  }

  @Override
  public StreamHandle generateStream(GenerateRequest request, StreamListener listener) {
    requireNonNull(request, "request is null");
    return stream(
        request.model(),
        RequestType.GENERATE_STREAM,
        () -> transport.post("/api/generate", OllamaJson.generateBody(request, true)),
        0,
        listener);
  }

  @Override
  public StreamHandle chatStream(ChatRequest request, StreamListener listener) {
    requireNonNull(request, "request is null");
    return stream(
        request.model(),
        RequestType.CHAT_STREAM,
        () -> transport.post("/api/chat", OllamaJson.chatBody(request, true)),
        Conversations.key(request),
        listener);
  }

  /**
   * The installed models ({@code GET /api/tags}); of a fleet, every model any reachable server has,
   * once per name (the first configured server's entry wins).
   */
  public List<LocalModel> list() {
    if (!config.isFleet()) {
      return OllamaJson.localModels(json(transport.get("/api/tags"), null));
    }
    Map<String, LocalModel> byName = new LinkedHashMap<>();
    eachReachable(
        host -> {
          for (LocalModel model :
              OllamaJson.localModels(jsonFrom(host, transport.get("/api/tags"), null))) {
            byName.putIfAbsent(model.name(), model);
          }
        });
    return List.copyOf(byName.values());
  }

  /**
   * The models loaded now ({@code GET /api/ps}); of a fleet, each model loaded on each reachable
   * server. Also refreshes the inventory gauges ({@code tinyllm_ollama_models_loaded}, {@code
   * tinyllm_ollama_model_vram_bytes}, ...), and tells the router which server has which model
   * loaded. Call it on a schedule, or before a push, to keep them current.
   */
  public List<RunningModel> running() {
    List<RunningModel> models = new ArrayList<>();
    if (!config.isFleet()) {
      HostRouter.Host host = transport.router().first();
      List<RunningModel> loaded = OllamaJson.runningModels(json(transport.get("/api/ps"), null));
      transport.router().loaded(host, loaded);
      models.addAll(loaded);
    } else {
      eachReachable(
          host -> {
            List<RunningModel> loaded =
                OllamaJson.runningModels(jsonFrom(host, transport.get("/api/ps"), null));
            transport.router().loaded(host, loaded);
            models.addAll(loaded);
          });
    }
    List<RunningModel> all = List.copyOf(models);
    recordSafely(() -> metrics.inventory().refreshed(all));
    return all;
  }

  /**
   * What the server knows about {@code model} ({@code POST /api/show}).
   *
   * @throws ModelNotFoundException if it is not installed
   */
  public ModelInfo show(String model) {
    requireNonNull(model, "model is null");
    Map<String, Object> node =
        json(transport.post("/api/show", OllamaJson.modelBody(model, null)), model);
    return OllamaJson.modelInfo(node, model);
  }

  /**
   * Removes {@code model} from the server ({@code DELETE /api/delete}); of a fleet, from every
   * server that has it.
   *
   * @throws ModelNotFoundException if no server has it
   * @throws LlmException if a server could not be asked (after the others were)
   */
  public void delete(String model) {
    requireNonNull(model, "model is null");
    if (!config.isFleet()) {
      transport.send(transport.delete("/api/delete", OllamaJson.modelBody(model, null)), model);
      return;
    }
    AtomicInteger deleted = new AtomicInteger();
    ModelNotFoundException[] missing = new ModelNotFoundException[1];
    eachHost(
        host -> {
          try {
            transport.sendTo(
                host, transport.delete("/api/delete", OllamaJson.modelBody(model, null)), model);
            deleted.incrementAndGet();
          } catch (ModelNotFoundException e) {
            missing[0] = e;
          }
        });
    if (deleted.get() == 0 && missing[0] != null) {
      throw missing[0];
    }
  }

  /**
   * Creates {@code model} from the installed model {@code from} ({@code POST /api/create}) with a
   * system message, parameters and messages of its own, each left out when null or empty: what
   * {@code ollama run}'s {@code /save} does with a chat session.
   *
   * <p>Of a fleet, the model is created on the host plain calls go to.
   *
   * @throws ModelNotFoundException if {@code from} is not installed
   */
  public void create(
      String model,
      String from,
      String system,
      GenerationOptions parameters,
      List<ChatMessage> messages) {
    requireNonNull(model, "model is null");
    requireNonNull(from, "from is null");
    requireNonNull(parameters, "parameters is null");
    requireNonNull(messages, "messages is null");
    json(
        transport.post(
            "/api/create", OllamaJson.createBody(model, from, system, parameters, messages)),
        from);
  }

  /**
   * Installs {@code source} again as {@code destination} ({@code POST /api/copy}), as {@code ollama
   * cp} does; of a fleet, on every server that has {@code source}.
   *
   * @throws ModelNotFoundException if no server has {@code source}
   */
  public void copy(String source, String destination) {
    requireNonNull(source, "source is null");
    requireNonNull(destination, "destination is null");
    if (!config.isFleet()) {
      transport.send(transport.post("/api/copy", OllamaJson.copyBody(source, destination)), source);
      return;
    }
    AtomicInteger copied = new AtomicInteger();
    ModelNotFoundException[] missing = new ModelNotFoundException[1];
    eachHost(
        host -> {
          try {
            transport.sendTo(
                host,
                transport.post("/api/copy", OllamaJson.copyBody(source, destination)),
                source);
            copied.incrementAndGet();
          } catch (ModelNotFoundException e) {
            missing[0] = e;
          }
        });
    if (copied.get() == 0 && missing[0] != null) {
      throw missing[0];
    }
  }

  /**
   * The server's version ({@code GET /api/version}), e.g. {@code 0.12.3}; of a fleet, any one's.
   */
  public String version() {
    return JsonValues.text(json(transport.get("/api/version"), null), "version", "");
  }

  /**
   * Whether the server answers {@code GET /}; of a fleet, whether any server does, with each one's
   * answer in the detail. Never throws.
   */
  public OllamaHealth health() {
    if (!config.isFleet()) {
      return health(transport.router().first());
    }
    List<String> details = new ArrayList<>();
    int healthy = 0;
    for (HostRouter.Host host : transport.router().all()) {
      OllamaHealth one = health(host);
      healthy += one.healthy() ? 1 : 0;
      details.add(host.uri() + ": " + one.detail());
    }
    return new OllamaHealth(
        healthy > 0,
        healthy
            + " of "
            + transport.router().all().size()
            + " servers answer; "
            + String.join("; ", details));
  }

  private OllamaHealth health(HostRouter.Host host) {
    try {
      String body = transport.sendTo(host, transport.get("/"), null);
      return new OllamaHealth(true, body.strip());
    } catch (LlmException e) {
      return new OllamaHealth(false, e.getMessage());
    }
  }

  /**
   * Downloads {@code model} ({@code POST /api/pull}), reporting each progress line to {@code
   * progress} on the calling thread, and returns when the server reports success. While it runs,
   * {@code tinyllm_ollama_pull_completed_bytes} and {@code tinyllm_ollama_pull_total_bytes} show
   * its progress. The first line must come within the request timeout, the others each within the
   * stream-idle timeout.
   *
   * <p>Of a fleet, every server pulls the model, one after the other, each reporting its progress
   * in turn; the first failure ends the pull.
   *
   * @throws ModelNotFoundException if the registry has no such model
   */
  public void pull(String model, Consumer<PullProgress> progress) {
    requireNonNull(model, "model is null");
    requireNonNull(progress, "progress is null");
    for (HostRouter.Host host : transport.router().all()) {
      pull(host, model, progress);
    }
  }

  private void pull(HostRouter.Host host, String model, Consumer<PullProgress> progress) {
    LineChannel channel = new LineChannel(config.maxResponseBytes());
    StringBuilder errorBody = new StringBuilder();
    boolean started = false;
    try (OllamaTransport.Lease lease =
        transport.streamTo(
            host, transport.post("/api/pull", OllamaJson.modelBody(model, true)), channel)) {
      while (true) {
        Duration timeout = started ? config.streamIdleTimeout() : config.requestTimeout();
        Object item = channel.poll(timeout.toNanos());
        if (item == null) {
          throw new LlmTimeoutException(
              "Pulling model '"
                  + model
                  + "' from Ollama at "
                  + host.uri()
                  + " stalled: nothing for "
                  + timeout.toMillis()
                  + " ms");
        }
        if (item instanceof LineChannel.Failure failure) {
          throw lease.errors().forTransport(failure.cause(), model);
        }
        if (item == LineChannel.END || item == LineChannel.CANCELLED) {
          if (channel.status() != 200) {
            throw lease.errors().forStatus(channel.status(), errorBody.toString(), model);
          }
          throw new StreamException(
              "Pulling model '" + model + "' ended before Ollama reported success");
        }
        String line = (String) item;
        started = true;
        if (channel.status() != 200) {
          if (errorBody.length() < OllamaStream.MAX_ERROR_BODY_CHARS) {
            errorBody.append(line).append('\n');
          }
          continue;
        }
        if (line.isBlank()) {
          continue;
        }
        Map<String, Object> node = JsonValues.object(line, "pull progress line");
        String error = OllamaJson.error(node);
        if (error != null) {
          throw pullFailed(model, error);
        }
        PullProgress report = OllamaJson.pullProgress(node, model);
        recordSafely(() -> metrics.inventory().pullProgressed(report));
        progress.accept(report);
        if (report.isSuccess()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancelledException("Interrupted while pulling model '" + model + "'", e);
    } finally {
      channel.cancel();
      recordSafely(() -> metrics.inventory().pullEnded(model));
    }
  }

  /**
   * Runs {@code action} on each server; one that cannot be reached is skipped, and if none could
   * be, the first server's failure is thrown.
   */
  private void eachReachable(Consumer<HostRouter.Host> action) {
    LlmException first = null;
    int reached = 0;
    for (HostRouter.Host host : transport.router().all()) {
      try {
        action.accept(host);
        reached++;
      } catch (LlmConnectionException | LlmTimeoutException e) {
        first = first == null ? e : first;
      }
    }
    if (reached == 0 && first != null) {
      throw first;
    }
  }

  /**
   * Runs {@code action} on every server, then throws the first failure, if any: one server's
   * failure does not keep the others from being asked.
   */
  private void eachHost(Consumer<HostRouter.Host> action) {
    LlmException first = null;
    for (HostRouter.Host host : transport.router().all()) {
      try {
        action.accept(host);
      } catch (LlmException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private Map<String, Object> jsonFrom(HostRouter.Host host, OllamaRequest request, String model) {
    Map<String, Object> node =
        JsonValues.object(transport.sendTo(host, request, model), "response");
    String error = OllamaJson.error(node);
    if (error != null) {
      throw new StreamException(
          "Ollama at " + host.uri() + " reported an error in a successful response: " + error);
    }
    return node;
  }

  /** Records a metric; a failure of the metrics code is counted and never reaches the caller. */
  private void recordSafely(Runnable recording) {
    try {
      recording.run();
    } catch (RuntimeException e) {
      metrics.recordingFailures().failed(e);
    }
  }

  private static LlmException pullFailed(String model, String error) {
    if (error.contains("does not exist") || error.contains("not found")) {
      return new ModelNotFoundException(
          "Model '" + model + "' cannot be pulled: the registry does not have it (" + error + ")");
    }
    return new StreamException("Pulling model '" + model + "' failed: " + error);
  }

  /** Stops the stream threads; streams still running end with a {@link CancelledException}. */
  @Override
  public void close() {
    streams.shutdownNow();
    transport.close();
  }

  /**
   * The circuit-breaker state of {@code model}: {@code closed}, {@code half_open}, {@code open}.
   */
  public String circuitBreakerState(String model) {
    return resilience.breakerState(model);
  }

  /**
   * How many state transitions the client's circuit breakers made so far: read it before a call,
   * and {@link #awaitCircuitBreakerTransition} after a failure waits for the next one.
   */
  public long circuitBreakerTransitions() {
    return resilience.transitions();
  }

  /**
   * Waits until a circuit breaker of this client changed state after {@code seen} (from {@link
   * #circuitBreakerTransitions()}): an open breaker going half-open lets trial calls through, a
   * half-open one closes or opens again. Returns at once if that already happened.
   *
   * @return true if a transition happened, false if {@code max} elapsed first
   */
  public boolean awaitCircuitBreakerTransition(long seen, Duration max)
      throws InterruptedException {
    return resilience.awaitTransition(seen, max.toNanos());
  }

  private <T> T unary(
      String model,
      RequestType type,
      Supplier<OllamaRequest> request,
      long conversation,
      Function<String, T> parse,
      BiConsumer<OllamaMetrics.Call, T> succeeded) {
    OllamaMetrics.Call call = metrics.requestStarted(model, type);
    try {
      OllamaRequest http = request.get();
      T result =
          resilience.execute(
              model,
              () -> parse.apply(transport.send(http, model, conversation)),
              Resilience.SLEEP);
      succeeded.accept(call, result);
      return result;
    } catch (CancelledException e) {
      call.cancelled();
      throw e;
    } catch (LlmException e) {
      call.failed(e);
      throw e;
    } catch (RuntimeException e) {
      call.failed(ErrorType.INTERNAL);
      throw e;
    }
  }

  private StreamHandle stream(
      String model,
      RequestType type,
      Supplier<OllamaRequest> request,
      long conversation,
      StreamListener listener) {
    requireNonNull(listener, "listener is null");
    OllamaMetrics.Call call = metrics.requestStarted(model, type);
    OllamaRequest http;
    try {
      http = request.get();
    } catch (RuntimeException e) {
      call.failed(e instanceof LlmException llm ? llm.errorType() : ErrorType.INTERNAL);
      throw e;
    }
    StreamSlots.Slot slot = streamSlots.slot(listener);
    OllamaStream stream =
        new OllamaStream(
            transport,
            resilience,
            model,
            http,
            conversation,
            slot,
            call,
            config.streamIdleTimeout(),
            config.streamTotalTimeout(),
            config.maxResponseBytes());
    if (!slot.tryAcquire()) {
      stream.fail(streamSlots.exhausted(model));
      return stream;
    }
    try {
      streams.execute(stream);
    } catch (RejectedExecutionException e) {
      stream.fail(new CancelledException("The Ollama client is closed", e));
    }
    return stream;
  }

  private Map<String, Object> json(OllamaRequest request, String model) {
    return json(request, model, 0);
  }

  private Map<String, Object> json(OllamaRequest request, String model, long conversation) {
    return checked(transport.send(request, model, conversation), model);
  }

  /** The answer {@code body} as maps and lists, unless it is an error object. */
  private static Map<String, Object> checked(String body, String model) {
    Map<String, Object> node = JsonValues.object(body, "response");
    String error = OllamaJson.error(node);
    if (error != null) {
      throw errorInAnswer(model, error);
    }
    return node;
  }

  private static StreamException errorInAnswer(String model, String error) {
    return new StreamException(
        "Ollama reported an error in a successful response"
            + (model == null ? "" : " for model '" + model + "'")
            + ": "
            + error);
  }

  /** A whole generate or chat answer, read without a tree. */
  private LlmResponse completion(String body, String model) {
    Chunk answer = ChunkReader.whole(body, config.maxResponseBytes());
    String error = OllamaJson.error(answer);
    if (error != null) {
      throw errorInAnswer(model, error);
    }
    ReportedValues.requireFinal(answer, model, "answer");
    return OllamaJson.response(
        answer, model, answer.text(), answer.thinking(), answer.toolCalls(), answer.logprobs());
  }

  /** Daemon threads, so an unclosed client never keeps the JVM alive. */
  private static final class StreamThreads implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "tinyllm-ollama-stream-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }
}
