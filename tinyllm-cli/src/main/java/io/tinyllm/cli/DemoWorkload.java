package io.tinyllm.cli;

import static java.util.Objects.requireNonNull;

import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.api.llm.ToolDefinition;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.executor.GraphDefinition;
import io.tinyllm.executor.GraphEngine;
import io.tinyllm.executor.GraphLoader;
import io.tinyllm.executor.GraphRun;
import io.tinyllm.executor.memory.ConversationMemory;
import io.tinyllm.executor.memory.ConversationMemoryFactory;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code demo} workload: a realistic mix of calls through the real client, cache, queue and
 * graph executor against the built-in simulator — plain and streamed generations, multi-turn chat
 * with memory, a tool call, embeddings, both example graphs, repeated prompts (cache hits, and two
 * identical questions at once that make one model call), bursts that fill the queue, a model pull
 * and a two-second Ollama outage every minute, and a few injected faults. Deterministic for a given
 * seed.
 */
final class DemoWorkload implements AutoCloseable {
  static final String CODER_MODEL = "qwen2.5-coder:0.5b";
  private static final List<String> MODELS = List.of("qwen2.5:0.5b", "qwen2.5:1.5b", "qwen2.5:3b");
  private static final String EMBED_MODEL = "nomic-embed-text";

  /** A model of the simulator's registry, pulled (and deleted again) every {@link #PULL_EVERY}. */
  static final String PULLED_MODEL = "llama3.2:1b";

  static final Duration PULL_EVERY = Duration.ofSeconds(60);
  private static final String TOOL_PROMPT = "What is the weather in Tokyo?";

  /** The share of requests the simulator fails outside an outage. */
  private static final double ERROR_RATE = 0.02;

  static final Duration OUTAGE_FIRST = Duration.ofSeconds(30);
  static final Duration OUTAGE_EVERY = Duration.ofSeconds(60);
  static final Duration OUTAGE_LENGTH = Duration.ofSeconds(2);

  /** The longest the tour waits for one step's calls. */
  private static final Duration TOUR_CALL_LIMIT = Duration.ofSeconds(30);

  private static final List<String> PROMPTS =
      List.of(
          "What is the capital of France?",
          "Explain photosynthesis in one sentence.",
          "Give me a haiku about autumn.",
          "What is 12 times 7?",
          "Name three prime numbers.",
          "Why is the sky blue?",
          "Summarise the plot of Hamlet.",
          "What does HTTP stand for?",
          "Suggest a name for a cat.",
          "How far is the Moon from the Earth?");
  private static final List<String> GRAPH_INPUTS =
      List.of(
          "What is 12 * 7?",
          "Write a Java method that reverses a string.",
          "Tell me about Paris.",
          "Compute the square root of 144.",
          "Fix this code: for (int i = 0; i < n; i++",
          "Who wrote Hamlet?");

  private final LlmClient client;
  private final OllamaClient ollama;
  private final RequestQueue queue;
  private final GraphEngine engine;
  private final ConversationMemoryFactory memories;
  private final OllamaSimulator simulator;
  private final List<GraphDefinition> graphs;
  private final Random random;
  private final double rate;
  // two threads: a pull takes seconds, and the calls go on being submitted meanwhile
  private final ScheduledExecutorService scheduler =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "tinyllm-demo");
            t.setDaemon(true);
            return t;
          });

  final AtomicLong submitted = new AtomicLong();
  final AtomicLong succeeded = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong graphRuns = new AtomicLong();
  final AtomicLong outputTokens = new AtomicLong();
  private long ticks;

  DemoWorkload(
      LlmClient client,
      OllamaClient ollama,
      RequestQueue queue,
      GraphEngine engine,
      ConversationMemoryFactory memories,
      OllamaSimulator simulator,
      List<GraphDefinition> graphs,
      long seed,
      double rate) {
    this.client = requireNonNull(client, "client is null");
    this.ollama = requireNonNull(ollama, "ollama is null");
    this.queue = requireNonNull(queue, "queue is null");
    this.engine = requireNonNull(engine, "engine is null");
    this.memories = requireNonNull(memories, "memories is null");
    this.simulator = requireNonNull(simulator, "simulator is null");
    this.graphs = List.copyOf(graphs);
    this.random = new Random(seed);
    this.rate = rate;
  }

  /** The workload over the application's services and both example graphs. */
  static DemoWorkload create(TinyLlm app, OllamaSimulator simulator, long seed, double rate) {
    GraphLoader loader = new GraphLoader();
    return new DemoWorkload(
        app.get(LlmClient.class),
        app.get(OllamaClient.class),
        app.get(RequestQueue.class),
        app.get(GraphEngine.class),
        app.get(ConversationMemoryFactory.class),
        simulator,
        List.of(loader.loadExample("qa.yaml"), loader.loadExample("routed.yaml")),
        seed,
        rate);
  }

  /**
   * Runs each kind of call once, in order, so every metric family has samples within seconds:
   * including a repeated prompt (cache hit), the same question asked twice at once (one model call,
   * the other waits for it), a tool call, a request for a missing model, a call failing all its
   * retries, and a graph whose model node fails. Returns once every call has ended and been counted
   * (each step waits at most {@link #TOUR_CALL_LIMIT}).
   */
  void tour() {
    String prompt = PROMPTS.get(0);
    runCounted(() -> generate(MODELS.get(0), prompt, 0.0));
    runCounted(() -> generate(MODELS.get(0), prompt, 0.0));
    // two identical questions at once: the cache's single flight makes one model call of them
    runCounted(
        () -> generate(MODELS.get(1), PROMPTS.get(3), 0.0),
        () -> generate(MODELS.get(1), PROMPTS.get(3), 0.0));
    runCounted(() -> stream(MODELS.get(1), PROMPTS.get(1)));
    runCounted(this::chat);
    simulator.putCannedAnswer(
        TOOL_PROMPT, "tool_calls:[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}]");
    runCounted(this::chatWithTool);
    runCounted(this::embed);
    for (GraphDefinition graph : graphs) {
      runCounted(() -> graph(graph, GRAPH_INPUTS.get(0)));
    }
    runCounted(() -> generate("no-such-model:1b", prompt, 0.0));
    // every attempt of the next call fails: errors, retries and breaker failures get samples
    simulator.faults().failNext(3, 500);
    runCounted(() -> generate(MODELS.get(2), PROMPTS.get(2), 0.0));
    // both attempts of the next graph's model node fail: node errors get samples
    simulator.faults().failNext(2, 400);
    runCounted(() -> graph(graphs.get(0), GRAPH_INPUTS.get(5)));
    ollama.running();
  }

  /** Submits calls at the configured rate, with a burst every ten seconds, until closed. */
  void start() {
    long periodMicros = Math.max(1_000, (long) (1_000_000 / rate));
    scheduler.scheduleAtFixedRate(this::tick, 0, periodMicros, TimeUnit.MICROSECONDS);
    // a few faults now and then: an error rate, and occasional broken streams
    // Ollama's crashed-runner text, a 500 the client retries
    simulator.faults().errorRate(ERROR_RATE);
    scheduler.scheduleAtFixedRate(
        () ->
            simulator
                .faults()
                .midStreamError(
                    3, "an error was encountered while running the model: simulated", 1),
        7,
        15,
        TimeUnit.SECONDS);
    scheduler.scheduleAtFixedRate(this::refreshInventory, 1, 5, TimeUnit.SECONDS);
    scheduler.scheduleWithFixedDelay(
        this::pullAModel, 20, PULL_EVERY.toSeconds(), TimeUnit.SECONDS);
    scheduler.scheduleAtFixedRate(
        this::outage, OUTAGE_FIRST.toSeconds(), OUTAGE_EVERY.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * Ollama fails every request for {@link #OUTAGE_LENGTH}: the models in use open their breakers,
   * which close again on the first success after the open duration. Long after each breaker was
   * created (and its transitions exposed at 0), so {@code increase()} sees every transition, as it
   * cannot for the tour's, which opens a breaker in its first second.
   */
  private void outage() {
    simulator.faults().errorRate(1.0);
    scheduler.schedule(
        () -> {
          simulator.faults().errorRate(ERROR_RATE);
        },
        OUTAGE_LENGTH.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Pulls {@link #PULLED_MODEL} from the simulator's registry (the pull gauges show its progress),
   * deleting it first so each pull downloads again.
   */
  private void pullAModel() {
    try {
      if (ollama.list().stream().anyMatch(model -> model.name().equals(PULLED_MODEL))) {
        ollama.delete(PULLED_MODEL);
      }
      ollama.pull(PULLED_MODEL, progress -> {});
    } catch (TinyLlmException e) {
      // the next pull tries again
    }
  }

  private void tick() {
    ticks++;
    int burst = ticks % Math.max(1, (long) (rate * 10)) == 0 ? 24 : 1;
    for (int i = 0; i < burst; i++) {
      submit(nextPriority(), nextCall());
    }
  }

  private void refreshInventory() {
    try {
      ollama.running();
    } catch (TinyLlmException e) {
      // the inventory gauges keep their last value; the next refresh tries again
    }
  }

  private Priority nextPriority() {
    int p = random.nextInt(10);
    return p < 2 ? Priority.HIGH : p < 8 ? Priority.NORMAL : Priority.LOW;
  }

  private Runnable nextCall() {
    int pick = random.nextInt(100);
    String model = MODELS.get(random.nextInt(MODELS.size()));
    String prompt = PROMPTS.get(random.nextInt(PROMPTS.size()));
    if (pick < 25) {
      return () -> generate(model, prompt, 0.0);
    } else if (pick < 40) {
      return () -> stream(model, prompt);
    } else if (pick < 55) {
      return this::chat;
    } else if (pick < 65) {
      return this::embed;
    } else if (pick < 95) {
      GraphDefinition graph = graphs.get(random.nextInt(graphs.size()));
      String input = GRAPH_INPUTS.get(random.nextInt(GRAPH_INPUTS.size()));
      return () -> graph(graph, input);
    } else if (pick < 98) {
      return () -> generate(model, prompt, 0.8);
    }
    return () -> generate("no-such-model:1b", prompt, 0.0);
  }

  /** Submits {@code call}; the returned stage completes, normally, once its outcome is counted. */
  private CompletableFuture<Void> submit(Priority priority, Runnable call) {
    submitted.incrementAndGet();
    CompletableFuture<Void> future;
    try {
      future =
          queue.submit(
              priority,
              () -> {
                call.run();
                return null;
              });
    } catch (TinyLlmException e) {
      rejected.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }
    return future.handle(
        (ok, error) -> {
          if (error == null) {
            succeeded.incrementAndGet();
          } else if (unwrap(error) instanceof io.tinyllm.api.error.QueueRejectedException) {
            rejected.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
          return null;
        });
  }

  /**
   * Runs {@code calls} through the queue and returns once each has ended and been counted, or after
   * {@link #TOUR_CALL_LIMIT}, leaving a stuck call running.
   */
  private void runCounted(Runnable... calls) {
    CompletableFuture<?>[] counted = new CompletableFuture<?>[calls.length];
    for (int i = 0; i < calls.length; i++) {
      counted[i] = submit(Priority.NORMAL, calls[i]);
    }
    // the tour waits for each call so its faults hit the call they were set up for
    try {
      CompletableFuture.allOf(counted).get(TOUR_CALL_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // a stuck step does not stop the tour; the counters show the call as not yet ended
    } catch (ExecutionException e) {
      throw new IllegalStateException("a counted stage failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(e);
    }
  }

  private void generate(String model, String prompt, double temperature) {
    LlmResponse response =
        client.generate(
            GenerateRequest.builder(model, prompt)
                .options(
                    GenerationOptions.builder().temperature(temperature).numPredict(64).build())
                .build());
    outputTokens.addAndGet(response.outputTokens());
  }

  private void stream(String model, String prompt) {
    LlmResponse response =
        client
            .generateStream(
                GenerateRequest.builder(model, prompt)
                    .options(GenerationOptions.builder().temperature(0.0).numPredict(64).build())
                    .build(),
                token -> {})
            .completion()
            .join();
    outputTokens.addAndGet(response.outputTokens());
  }

  private void chat() {
    ConversationMemory memory = memories.create("You are a concise assistant.");
    String model = MODELS.get(0);
    for (String question : List.of(PROMPTS.get(random.nextInt(PROMPTS.size())), "And why?")) {
      memory.add(ChatMessage.user(question));
      StringBuilder answer = new StringBuilder();
      StreamListener listener = answer::append;
      LlmResponse response =
          client
              .chatStream(
                  ChatRequest.of(model, memory.messages())
                      .withOptions(
                          GenerationOptions.builder().temperature(0.0).numPredict(48).build()),
                  listener)
              .completion()
              .join();
      memory.add(ChatMessage.assistant(answer.toString()));
      outputTokens.addAndGet(response.outputTokens());
    }
  }

  /** A chat offering a tool, which the simulator's canned answer calls. */
  private void chatWithTool() {
    LlmResponse response =
        client.chat(
            ChatRequest.builder(MODELS.get(0), List.of(ChatMessage.user(TOOL_PROMPT)))
                .tools(
                    List.of(
                        ToolDefinition.function(
                            "get_weather",
                            "The weather in a city",
                            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")))
                .options(GenerationOptions.builder().temperature(0.0).numPredict(48).build())
                .build());
    outputTokens.addAndGet(response.outputTokens());
  }

  private void embed() {
    client.embed(
        EmbedRequest.of(EMBED_MODEL, List.of(PROMPTS.get(random.nextInt(PROMPTS.size())))));
  }

  private void graph(GraphDefinition graph, String input) {
    GraphRun run = engine.run(graph, input);
    graphRuns.incrementAndGet();
    outputTokens.addAndGet(run.outputTokens());
    if (!run.success()) {
      throw new TinyLlmException("graph " + graph.id() + " " + run.status().label());
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    simulator.faults().clear();
  }
}
