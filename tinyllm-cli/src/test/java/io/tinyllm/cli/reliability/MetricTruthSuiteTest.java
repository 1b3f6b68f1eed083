package io.tinyllm.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.BadRequestException;
import io.tinyllm.api.error.CircuitOpenException;
import io.tinyllm.api.error.LlmException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.queue.Priority;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.api.time.Ticker;
import io.tinyllm.executor.GraphDefinition;
import io.tinyllm.executor.GraphEngine;
import io.tinyllm.executor.GraphLoader;
import io.tinyllm.executor.GraphRun;
import io.tinyllm.executor.memory.ConversationMemory;
import io.tinyllm.executor.memory.ConversationMemoryFactory;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.testing.SeedFamilies;
import io.tinyllm.ollama.sim.Gate;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Known traffic from several threads through the real client (against the simulator), cache,
 * executor, queue and conversation memory, with a {@link FakeTicker} bound in place of the system
 * clock, and the exact value of every seed family afterwards.
 *
 * <p>Why the durations are exact: the ticker moves only when this test moves it, and it moves it
 * only while every call in flight is held on the simulator's {@link Gate} (after the call's timer
 * started, before its first token). Each held call therefore measures exactly the moves made while
 * it was held, every other call measures 0, and each histogram's buckets are known. The one
 * duration not from our clock is the model load time the server reports, pinned to its bucket by
 * the simulated load time: 1.2 s (the model's 300 ms at time scale 4) plus the server's scheduling,
 * between the 1 s and 2 s boundaries, with room for a slow machine.
 *
 * <p>Gauges are checked while work is held: active requests, queue size per priority, active
 * workers; the breaker state after each transition. Every {@code tinyllm_*} family the registry
 * exposes must be listed in {@link #PINNED} or {@link #NOT_PINNED}: a new family fails this test
 * until someone says how it is checked.
 */
class MetricTruthSuiteTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final String GRAPH = "truth";

  /** The families whose every series this test asserts exactly (all 24 seed families first). */
  static final Set<String> PINNED =
      Stream.concat(
              SeedFamilies.NAMES.stream(),
              Stream.of(
                  "tinyllm_request_outcomes_total",
                  "tinyllm_time_to_first_token_seconds",
                  "tinyllm_inter_token_latency_seconds",
                  "tinyllm_queue_run_time_seconds",
                  "tinyllm_queue_outcomes_total",
                  "tinyllm_queue_worker_deaths_total",
                  "tinyllm_graph_outcomes_total",
                  "tinyllm_node_outcomes_total",
                  "tinyllm_cache_lookup_duration_seconds",
                  "tinyllm_cache_stores_total",
                  "tinyllm_circuit_breaker_transitions_total"))
          .collect(Collectors.toUnmodifiableSet());

  /** Families exposed here that this test does not pin exactly, each with the reason. */
  static final Map<String, String> NOT_PINNED =
      Map.ofEntries(
          Map.entry("tinyllm_ollama_eval_duration_seconds", "server-reported, real time"),
          Map.entry("tinyllm_ollama_prompt_eval_duration_seconds", "server-reported, real time"),
          Map.entry("tinyllm_output_tokens_per_second", "server-reported, real time"),
          Map.entry("tinyllm_circuit_breaker_in_state", "seconds in a state, real time"),
          Map.entry("tinyllm_ollama_models_loaded", "inventory, polled from the server"),
          Map.entry("tinyllm_ollama_model_vram_bytes", "inventory, polled from the server"),
          Map.entry("tinyllm_ollama_model_size_bytes", "inventory, polled from the server"),
          Map.entry("tinyllm_ollama_up", "probe, polled from the server"),
          Map.entry(
              "tinyllm_ollama_host_requests_total", "one host here; FleetRoutingTest pins it"),
          Map.entry("tinyllm_ollama_host_in_flight", "one host here; FleetRoutingTest pins it"),
          Map.entry("tinyllm_ollama_host_up", "one host here; FleetRoutingTest pins it"),
          Map.entry(
              "tinyllm_ollama_host_failovers_total", "one host here; FleetRoutingTest pins it"),
          Map.entry("tinyllm_ollama_last_probe_timestamp_seconds", "wall-clock timestamp"),
          Map.entry("tinyllm_ollama_pull_completed_bytes", "no pull in this traffic"),
          Map.entry("tinyllm_ollama_pull_total_bytes", "no pull in this traffic"),
          Map.entry("tinyllm_ollama_metrics_recording_errors_total", "zero unless a bug"),
          Map.entry("tinyllm_retries_total", "retries are off here (one attempt)"),
          Map.entry("tinyllm_tool_calls_total", "no tool calls in this traffic"),
          Map.entry("tinyllm_node_requests_total", "covered by requests_total per graph"),
          Map.entry("tinyllm_node_tokens_total", "covered by the token totals"),
          Map.entry("tinyllm_node_retries_total", "node retries are off here"),
          Map.entry("tinyllm_node_circuit_breaker_state", "node breakers stay closed here"),
          Map.entry("tinyllm_cache_entries", "covered by cache stores"),
          Map.entry("tinyllm_cache_evictions_total", "no eviction in this traffic"),
          Map.entry("tinyllm_cache_errors_total", "memory backend has no errors"),
          Map.entry("tinyllm_cache_skips_total", "every request here is cacheable"),
          Map.entry("tinyllm_label_values", "label guard bookkeeping"),
          Map.entry("tinyllm_label_values_folded_total", "no label folded in this traffic"),
          Map.entry("tinyllm_metrics_collection_errors_total", "zero unless a bug"),
          Map.entry("tinyllm_proxy_requests_total", "no proxy here; the proxy's own tests pin it"),
          Map.entry("tinyllm_proxy_active_requests", "no proxy here; the proxy's own tests pin it"),
          Map.entry(
              "tinyllm_proxy_client_disconnects_total",
              "no proxy here; the proxy's own tests pin it"),
          Map.entry(
              "tinyllm_proxy_upstream_failures_total",
              "no proxy here; the proxy's own tests pin it"),
          Map.entry(
              "tinyllm_proxy_connections_refused_total",
              "no proxy here; the proxy's own tests pin it"));

  private static final String GRAPH_YAML =
      """
      id: truth
      entry_points: [in]
      exit_points: [out]
      nodes:
        - {id: in, type: entry}
        - {id: ask, type: model, config: {model: qwen2.5:0.5b, prompt: "{{input}}"}}
        - {id: out, type: exit}
      edges:
        - {from_node: in, to_node: ask}
        - {from_node: ask, to_node: out}
      """;

  @Test
  void scriptedTrafficUnderAFakeClockGivesExactValuesForEveryFamily() throws Exception {
    FakeTicker clock = new FakeTicker();
    try (OllamaSimulator sim =
            Fixtures.simulator(
                SimulatorConfig.builder().timeScale(4).numParallel(4).maxParallel(8).build());
        TinyLlm app = start(sim, clock)) {
      LlmClient client = app.get(LlmClient.class);

      // 1. one call that loads the model (its load time is the server's: 1.2 s); takes 0 s here
      List<LlmResponse> answered = new CopyOnWriteArrayList<>();
      answered.add(client.generate(Fixtures.request("warm up")));

      // 2. three calls from three threads held at the gate while the clock moves 300 ms
      Gate gate = sim.faults().holdBeforeFirstToken(3);
      AtomicInteger chunks = new AtomicInteger();
      List<CompletableFuture<?>> calls = new ArrayList<>();
      calls.add(
          CompletableFuture.runAsync(
              () -> answered.add(client.generate(Fixtures.request("held 1")))));
      calls.add(
          CompletableFuture.runAsync(
              () -> answered.add(client.generate(Fixtures.request("held 2")))));
      calls.add(
          CompletableFuture.runAsync(
              () ->
                  answered.add(
                      client
                          .generateStream(
                              Fixtures.request("held 3"), token -> chunks.incrementAndGet())
                          .completion()
                          .join())));
      assertThat(gate.awaitHeld(3, Fixtures.WAIT)).as("three calls held").isTrue();
      Samples held = scrape(app);
      assertThat(held.sum("tinyllm_active_requests", "model", MODEL)).isEqualTo(3);
      clock.advance(Duration.ofMillis(300));
      gate.open();
      calls.forEach(Fixtures::failure);
      assertThat(scrape(app).sum("tinyllm_active_requests")).isZero();

      // 3. a cache hit: the same request again never reaches the client's metrics
      client.generate(Fixtures.request("held 1"));

      // 4. a caller's mistake (400): an error, but not one the breaker counts
      sim.faults().failNext(1, 400);
      assertThatThrownBy(() -> client.generate(Fixtures.request("bad")))
          .isInstanceOf(BadRequestException.class);

      // 5. three server failures open the breaker; the next call is refused; the call after its
      // open duration is a trial, and its success closes it
      assertThat(breakerState(app)).isEqualTo(0);
      sim.faults().failNext(3, 503);
      for (int i = 0; i < 3; i++) {
        String prompt = "down " + i;
        assertThatThrownBy(() -> client.generate(Fixtures.request(prompt)))
            .isInstanceOf(LlmException.class);
      }
      assertThat(breakerState(app)).isEqualTo(2);
      assertThatThrownBy(() -> client.generate(Fixtures.request("refused")))
          .isInstanceOf(CircuitOpenException.class);
      clock.advance(Duration.ofMinutes(10).plusNanos(1));
      answered.add(client.generate(Fixtures.request("trial")));
      assertThat(breakerState(app)).isEqualTo(0);

      // 6. graphs through the queue: two workers held at the gate, four requests waiting, one
      // rejected; the clock moves 700 ms while they wait
      GraphEngine engine = app.get(GraphEngine.class);
      GraphDefinition graph = new GraphLoader().parse("truth.yaml", GRAPH_YAML);
      RequestQueue queue = app.get(RequestQueue.class);
      Gate workersHeld = sim.faults().holdBeforeFirstToken(2);
      List<CompletableFuture<GraphRun>> runs = new ArrayList<>();
      runs.add(queue.submit(Priority.HIGH, () -> engine.run(graph, "job 1")));
      runs.add(queue.submit(Priority.HIGH, () -> engine.run(graph, "job 2")));
      assertThat(workersHeld.awaitHeld(2, Fixtures.WAIT)).as("two workers held").isTrue();
      runs.add(queue.submit(Priority.HIGH, () -> engine.run(graph, "job 3")));
      runs.add(queue.submit(Priority.NORMAL, () -> engine.run(graph, "job 4")));
      runs.add(queue.submit(Priority.NORMAL, () -> engine.run(graph, "job 5")));
      runs.add(queue.submit(Priority.LOW, () -> engine.run(graph, "job 6")));
      CompletableFuture<GraphRun> rejected =
          queue.submit(Priority.LOW, () -> engine.run(graph, "job 7"));
      assertThat(Fixtures.failure(rejected)).isNotNull();
      Samples waiting = scrape(app);
      assertThat(waiting.sum("tinyllm_queue_size", "priority", "high")).isEqualTo(1);
      assertThat(waiting.sum("tinyllm_queue_size", "priority", "normal")).isEqualTo(2);
      assertThat(waiting.sum("tinyllm_queue_size", "priority", "low")).isEqualTo(1);
      assertThat(waiting.sum("tinyllm_queue_size", "priority", "all")).isEqualTo(4);
      assertThat(waiting.sum("tinyllm_queue_active_workers")).isEqualTo(2);
      assertThat(waiting.sum("tinyllm_active_requests", "model", MODEL, "graph", GRAPH))
          .isEqualTo(2);
      clock.advance(Duration.ofMillis(700));
      workersHeld.open();
      for (CompletableFuture<GraphRun> run : runs) {
        assertThat(Fixtures.failure(run)).isNull();
        assertThat(run.join().status()).isEqualTo(GraphRun.Status.SUCCESS);
      }
      Fixtures.await(
          "workers idle",
          () -> scrape(app).sum("tinyllm_queue_active_workers") == 0,
          Fixtures.WAIT);

      // 7. a graph whose model node fails (400), run directly
      sim.faults().failNext(1, 400);
      assertThat(engine.run(graph, "job 8").status()).isEqualTo(GraphRun.Status.FAILED);

      // 8. conversation memory: three adds, one read, one clear
      ConversationMemory memory = app.get(ConversationMemoryFactory.class).create();
      memory.add(ChatMessage.user("one"));
      memory.add(ChatMessage.user("two"));
      memory.add(ChatMessage.user("three"));
      memory.messages();
      memory.clear();

      assertExposition(app.metrics().scrapeText(), answered, chunks.get());
    }
  }

  private static TinyLlm start(OllamaSimulator sim, Ticker clock) {
    Map<String, String> settings =
        Fixtures.settings(
            sim.baseUri().toString(),
            // a limiter that always has a permit: every attempt records a wait of exactly 0
            "ollama.rate-limit.enabled",
            "true",
            "ollama.rate-limit.requests-per-second",
            "1000",
            "ollama.rate-limit.burst",
            "1000",
            "ollama.retry.max-attempts",
            "1",
            "ollama.circuit-breaker.failure-threshold",
            "3",
            // on the fake clock, which the test moves past it; on the wall clock (Resilience4j's
            // own timer) longer than the test, so the breaker cannot half-open before it is seen
            // open however loaded the machine
            "ollama.circuit-breaker.open-duration",
            "10m",
            "ollama.circuit-breaker.half-open-calls",
            "1",
            "queue.workers",
            "2",
            "queue.max-size",
            "4",
            "queue.backpressure",
            "reject",
            "executor.retry-backoff",
            "0ms",
            // the load is 1.2 s; a warm call's time to its runner (server scheduling on a busy
            // machine) must never count as a load
            "ollama.metrics.model-load-threshold",
            "1s");
    return TinyLlm.start(
        Settings.of(settings),
        MetricTruthSuiteTest.class.getClassLoader(),
        List.of(binder -> binder.bind(Ticker.class).toInstance(clock)));
  }

  private static Samples scrape(TinyLlm app) {
    return Samples.parse(app.metrics().scrapeText());
  }

  private static double breakerState(TinyLlm app) {
    return scrape(app).sum("tinyllm_circuit_breaker_state", "model", MODEL);
  }

  // the seed's bucket boundaries: what the assertions below pin (buckets added in between or
  // above leave these cumulative counts unchanged)
  private static final double[] LATENCY = {
    .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60
  };
  private static final double[] MODEL_LOAD = {.1, .5, 1, 2, 5, 10, 30, 60};
  private static final double[] RATE_LIMIT_WAIT = {.001, .005, .01, .05, .1, .5, 1, 5};
  private static final double[] NODE = {.01, .05, .1, .25, .5, 1, 2.5, 5, 10};
  private static final double[] GRAPH_BOUNDS = {.1, .5, 1, 2.5, 5, 10, 30, 60, 120};
  private static final double[] QUEUE_WAIT = {.001, .01, .05, .1, .5, 1, 5, 10, 30, 60};

  /**
   * What the traffic above must have recorded. Outside a graph the client's calls are: warm-up,
   * held 1-3 (held 3 streams), bad, down 0-2, refused, trial (10 calls; the repeated held 1 is a
   * cache hit); in graph {@code truth}: jobs 1-6 and job 8 (7 model calls, job 8 failing).
   */
  private static void assertExposition(
      String text, List<LlmResponse> answered, int streamedChunks) {
    Samples s = Samples.parse(text);
    // every exposed family is accounted for, and every pinned one is exposed
    Set<String> exposed = families(text);
    Set<String> unaccounted = new TreeSet<>(exposed);
    unaccounted.removeAll(PINNED);
    unaccounted.removeAll(NOT_PINNED.keySet());
    assertThat(unaccounted).as("families this suite does not account for").isEmpty();
    assertThat(exposed).containsAll(PINNED);

    String[] direct = {"model", MODEL, "graph", "default"};
    String[] inGraph = {"model", MODEL, "graph", GRAPH};

    // requests, latency, tokens, errors (seed)
    total(s, "tinyllm_requests_total", 17);
    value(s, "tinyllm_requests_total", 9, with(direct, "request_type", "generate"));
    value(s, "tinyllm_requests_total", 1, with(direct, "request_type", "generate_stream"));
    value(s, "tinyllm_requests_total", 7, with(inGraph, "request_type", "generate"));
    // three held 0.3 s, the other seven (refused one included) 0 s
    histogram(s, "tinyllm_request_latency_seconds", LATENCY, direct, obs(7, 0, 3, .3));
    // two held 0.7 s (jobs 1, 2), five 0 s
    histogram(s, "tinyllm_request_latency_seconds", LATENCY, inGraph, obs(5, 0, 2, .7));
    gaugesZero(s, "tinyllm_active_requests");
    value(s, "tinyllm_tokens_input_total", sum(answered, LlmResponse::promptTokens), direct);
    value(s, "tinyllm_tokens_output_total", sum(answered, LlmResponse::outputTokens), direct);
    // the simulator's tokenizer and answers are deterministic for these prompts
    value(s, "tinyllm_tokens_input_total", 180, inGraph);
    value(s, "tinyllm_tokens_output_total", 243, inGraph);
    total(s, "tinyllm_tokens_input_total", sum(answered, LlmResponse::promptTokens) + 180);
    total(s, "tinyllm_tokens_output_total", sum(answered, LlmResponse::outputTokens) + 243);
    total(s, "tinyllm_errors_total", 6);
    value(s, "tinyllm_errors_total", 1, with(direct, "error_type", "bad_request"));
    value(s, "tinyllm_errors_total", 3, with(direct, "error_type", "server_busy"));
    value(s, "tinyllm_errors_total", 1, with(direct, "error_type", "circuit_open"));
    value(s, "tinyllm_errors_total", 1, with(inGraph, "error_type", "bad_request"));
    // the server's own load time (real: 1.2 s simulated load plus scheduling), once
    histogram(
        s,
        "tinyllm_model_load_duration_seconds",
        MODEL_LOAD,
        new String[] {"model", MODEL},
        null,
        0,
        0,
        0,
        1,
        1,
        1,
        1,
        1);
    // every attempt that reached the limiter (all but the refused one) had a permit at once
    histogram(
        s,
        "tinyllm_rate_limit_wait_seconds",
        RATE_LIMIT_WAIT,
        new String[] {"model", MODEL},
        obs(16, 0));

    // the breaker (seed); its transitions (ours)
    value(s, "tinyllm_circuit_breaker_state", 0, "model", MODEL);
    total(s, "tinyllm_circuit_breaker_failures_total", 3);
    value(s, "tinyllm_circuit_breaker_failures_total", 3, "model", MODEL);
    total(s, "tinyllm_circuit_breaker_transitions_total", 3);
    value(
        s,
        "tinyllm_circuit_breaker_transitions_total",
        1,
        "model",
        MODEL,
        "from_state",
        "closed",
        "to_state",
        "open");
    value(
        s,
        "tinyllm_circuit_breaker_transitions_total",
        1,
        "model",
        MODEL,
        "from_state",
        "open",
        "to_state",
        "half_open");
    value(
        s,
        "tinyllm_circuit_breaker_transitions_total",
        1,
        "model",
        MODEL,
        "from_state",
        "half_open",
        "to_state",
        "closed");

    // nodes and graphs (seed); their outcomes (ours)
    String[] ask = {"graph", GRAPH, "node", "ask"};
    String[] in = {"graph", GRAPH, "node", "in"};
    String[] out = {"graph", GRAPH, "node", "out"};
    total(s, "tinyllm_node_executions_total", 20);
    value(s, "tinyllm_node_executions_total", 7, ask);
    value(s, "tinyllm_node_executions_total", 7, in);
    value(s, "tinyllm_node_executions_total", 6, out);
    histogram(s, "tinyllm_node_execution_duration_seconds", NODE, ask, obs(5, 0, 2, .7));
    histogram(s, "tinyllm_node_execution_duration_seconds", NODE, in, obs(7, 0));
    histogram(s, "tinyllm_node_execution_duration_seconds", NODE, out, obs(6, 0));
    total(s, "tinyllm_node_errors_total", 1);
    value(s, "tinyllm_node_errors_total", 1, with(ask, "error_type", "bad_request"));
    total(s, "tinyllm_node_outcomes_total", 20);
    value(s, "tinyllm_node_outcomes_total", 1, with(ask, "outcome", "error"));
    value(s, "tinyllm_node_outcomes_total", 6, with(ask, "outcome", "success"));
    total(s, "tinyllm_graph_executions_total", 7);
    value(s, "tinyllm_graph_executions_total", 7, "graph", GRAPH);
    histogram(
        s,
        "tinyllm_graph_execution_duration_seconds",
        GRAPH_BOUNDS,
        new String[] {"graph", GRAPH},
        obs(5, 0, 2, .7));
    total(s, "tinyllm_graph_outcomes_total", 7);
    value(s, "tinyllm_graph_outcomes_total", 6, "graph", GRAPH, "outcome", "success");
    value(s, "tinyllm_graph_outcomes_total", 1, "graph", GRAPH, "outcome", "failed");

    // the queue (seed); run times and outcomes (ours)
    gaugesZero(s, "tinyllm_queue_size");
    value(s, "tinyllm_queue_active_workers", 0);
    total(s, "tinyllm_queue_requests_total", 7);
    value(s, "tinyllm_queue_requests_total", 3, "priority", "high");
    value(s, "tinyllm_queue_requests_total", 2, "priority", "normal");
    value(s, "tinyllm_queue_requests_total", 2, "priority", "low");
    value(s, "tinyllm_queue_requests_rejected_total", 1);
    // jobs 1, 2 were taken at once; 3-6 waited while the clock moved 0.7 s
    histogram(
        s,
        "tinyllm_queue_wait_time_seconds",
        QUEUE_WAIT,
        new String[] {"priority", "high"},
        obs(2, 0, 1, .7));
    histogram(
        s,
        "tinyllm_queue_wait_time_seconds",
        QUEUE_WAIT,
        new String[] {"priority", "normal"},
        obs(2, .7));
    histogram(
        s,
        "tinyllm_queue_wait_time_seconds",
        QUEUE_WAIT,
        new String[] {"priority", "low"},
        obs(1, .7));
    histogram(
        s,
        "tinyllm_queue_run_time_seconds",
        QUEUE_WAIT,
        new String[] {"priority", "high"},
        obs(1, 0, 2, .7));
    histogram(
        s,
        "tinyllm_queue_run_time_seconds",
        QUEUE_WAIT,
        new String[] {"priority", "normal"},
        obs(2, 0));
    histogram(
        s,
        "tinyllm_queue_run_time_seconds",
        QUEUE_WAIT,
        new String[] {"priority", "low"},
        obs(1, 0));
    total(s, "tinyllm_queue_outcomes_total", 7);
    value(s, "tinyllm_queue_outcomes_total", 3, "outcome", "completed", "priority", "high");
    value(s, "tinyllm_queue_outcomes_total", 2, "outcome", "completed", "priority", "normal");
    value(s, "tinyllm_queue_outcomes_total", 1, "outcome", "completed", "priority", "low");
    value(s, "tinyllm_queue_outcomes_total", 1, "outcome", "rejected", "priority", "low");
    value(s, "tinyllm_queue_worker_deaths_total", 0);

    // cache (seed): graph prompts are not deterministic (skipped); 11 lookups, 1 hit
    total(s, "tinyllm_cache_hits_total", 1);
    value(s, "tinyllm_cache_hits_total", 1, "cache_type", "memory");
    total(s, "tinyllm_cache_misses_total", 10);
    value(s, "tinyllm_cache_misses_total", 10, "cache_type", "memory");
    total(s, "tinyllm_cache_stores_total", 5);
    histogram(
        s,
        "tinyllm_cache_lookup_duration_seconds",
        new double[] {.0001, .001, .01, .1, 1},
        new String[] {"cache_type", "memory"},
        obs(11, 0));

    // memory (seed)
    total(s, "tinyllm_memory_operations_total", 5);
    value(s, "tinyllm_memory_operations_total", 3, "operation_type", "add");
    value(s, "tinyllm_memory_operations_total", 1, "operation_type", "get");
    value(s, "tinyllm_memory_operations_total", 1, "operation_type", "clear");

    // system info (seed)
    List<Samples.Sample> info = s.find("tinyllm_system_info");
    assertThat(info).hasSize(1);
    assertThat(info.get(0).value()).isEqualTo(1);
    assertThat(info.get(0).labels()).containsEntry("app", "tinyllm").containsKey("version");

    // streaming (ours): the one stream's first output came after the 0.3 s hold; its other
    // chunks arrived with the clock standing still
    histogram(
        s,
        "tinyllm_time_to_first_token_seconds",
        new double[] {.1, .25, .5, 1},
        direct,
        obs(1, .3));
    assertThat(streamedChunks).isGreaterThan(1);
    histogram(
        s,
        "tinyllm_inter_token_latency_seconds",
        new double[] {.001, .01, .1, 1},
        new String[] {"model", MODEL},
        obs(streamedChunks - 1, 0));
    total(s, "tinyllm_request_outcomes_total", 17);
    value(s, "tinyllm_request_outcomes_total", 11, "model", MODEL, "outcome", "success");
    value(s, "tinyllm_request_outcomes_total", 6, "model", MODEL, "outcome", "error");
  }

  /** Observations as (how many, seconds) pairs. */
  private static double[] obs(double... countsAndValues) {
    List<Double> values = new ArrayList<>();
    for (int i = 0; i + 1 < countsAndValues.length; i += 2) {
      values.addAll(Collections.nCopies((int) countsAndValues[i], countsAndValues[i + 1]));
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * The histogram series {@code labels} of {@code name} holds exactly {@code observations}: at each
   * of {@code bounds} (and +Inf) the cumulative count they imply, their count and their sum.
   */
  private static void histogram(
      Samples s, String name, double[] bounds, String[] labels, double[] observations) {
    long[] cumulative = new long[bounds.length];
    for (int i = 0; i < bounds.length; i++) {
      double bound = bounds[i];
      cumulative[i] = Arrays.stream(observations).filter(o -> o <= bound).count();
    }
    double sum = Arrays.stream(observations).sum();
    histogram(s, name, bounds, labels, sum, cumulative);
  }

  /** As above with the cumulative counts given; a null sum is not checked (real durations). */
  private static void histogram(
      Samples s, String name, double[] bounds, String[] labels, Double sum, long... cumulative) {
    String what = name + " " + List.of(labels);
    List<Samples.Sample> buckets = s.find(name + "_bucket", labels);
    for (int i = 0; i < bounds.length; i++) {
      double bound = bounds[i];
      List<Double> at =
          buckets.stream()
              .filter(b -> !"+Inf".equals(b.label("le")))
              .filter(b -> Double.parseDouble(b.label("le")) == bound)
              .map(Samples.Sample::value)
              .toList();
      assertThat(at).as(what + " le=" + bound).containsExactly((double) cumulative[i]);
    }
    long count = cumulative[cumulative.length - 1];
    assertThat(s.find(name + "_bucket", with(labels, "le", "+Inf")))
        .as(what + " le=+Inf")
        .extracting(Samples.Sample::value)
        .containsExactly((double) count);
    assertThat(s.find(name + "_count", labels))
        .as(what + " count")
        .extracting(Samples.Sample::value)
        .containsExactly((double) count);
    if (sum != null) {
      assertThat(s.sum(name + "_sum", labels)).as(what + " sum").isCloseTo(sum, within(1e-9));
    }
  }

  private static void value(Samples s, String name, double expected, String... labels) {
    assertThat(s.find(name, labels))
        .as(name + " " + List.of(labels))
        .extracting(Samples.Sample::value)
        .containsExactly(expected);
  }

  /** The family summed over every series (series created at 0 in advance change nothing). */
  private static void total(Samples s, String name, double expected) {
    assertThat(s.sum(name)).as(name + " in all").isEqualTo(expected);
  }

  private static void gaugesZero(Samples s, String name) {
    assertThat(s.find(name)).as(name).isNotEmpty().allSatisfy(g -> assertThat(g.value()).isZero());
  }

  private static String[] with(String[] labels, String... more) {
    String[] all = Arrays.copyOf(labels, labels.length + more.length);
    System.arraycopy(more, 0, all, labels.length, more.length);
    return all;
  }

  private static long sum(List<LlmResponse> responses, ToLongFunction<LlmResponse> tokens) {
    return responses.stream().mapToLong(tokens).sum();
  }

  /** The {@code tinyllm_*} family names of a text exposition (counters with {@code _total}). */
  static Set<String> families(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^# TYPE (tinyllm_\\w+) (\\w+)$").matcher(text);
    while (m.find()) {
      String name = m.group(1);
      names.add(m.group(2).equals("counter") && !name.endsWith("_total") ? name + "_total" : name);
    }
    return names;
  }
}
