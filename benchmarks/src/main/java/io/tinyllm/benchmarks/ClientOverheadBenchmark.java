package io.tinyllm.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.OllamaMetrics;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Item 4 of issue #9 and the client benchmark of issue #3: one non-streaming {@code /api/generate}
 * of {@value #TOKENS} tokens against a simulator with no simulated delay running in a JVM of its
 * own ({@link SimulatorProcess}), through
 *
 * <ul>
 *   <li>{@link #ours}: our {@link OllamaClient} as shipped (metrics, circuit breaker, retry; rate
 *       limiter off so the bucket does not pace the loop),
 *   <li>{@link #oursUninstrumented}: the same client with {@link OllamaMetrics#disabled()},
 *   <li>{@link #bareHttpClient}: a bare {@link HttpClient} call with a prebuilt body whose answer
 *       Jackson parses into a tree.
 * </ul>
 *
 * <p>Wall time per call includes the simulator's work and the loopback round trip, which dwarf and
 * blur the client's share on two cores. Run with {@code -prof
 * io.tinyllm.benchmarks.ProcessCpuProfiler}: as the simulator lives in another process, {@code
 * cpu.time.norm} is the client's CPU per call, every thread included; {@code ours} minus {@code
 * oursUninstrumented} is what instrumentation costs (goal: at most 2 µs).
 *
 * <p>Latest figures (2026-11-28, 01:02–01:19 UTC; KVM guest, 2 vCPUs Intel Xeon family 6 model 207;
 * OpenJDK 17.0.15; JMH 1.37; {@code -f 1 -wi 12 -w 2s -i 5 -r 2s}; load 2.6–3.7; details in {@code
 * docs/performance.md}, item 4), client CPU per call with the JDK's defaults / with {@code
 * -Djava.util.concurrent.ForkJoinPool.common.parallelism=2}:
 *
 * <pre>
 * ours                        626.1 ± 717.3 us   124.4 ±  26.3 us
 * oursUninstrumented          414.8 ± 340.0 us   148.1 ± 254.9 us
 * bareHttpClient               94.0 ±  17.8 us   120.7 ± 146.9 us
 * bareHttpClientWithTimeout    96.7 ±  24.6 us   113.4 ±  51.6 us
 * </pre>
 *
 * <p>With the defaults on 2 CPUs, {@code sendAsync} starts a thread per call (see the docs).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ClientOverheadBenchmark {
  static final int TOKENS = 16;
  private static final String MODEL = "qwen2.5:0.5b";

  private final ObjectMapper mapper = new ObjectMapper();
  private SimulatorProcess simulator;
  private OllamaClient ours;
  private OllamaClient oursUninstrumented;
  private GenerateRequest request;
  private HttpClient bare;
  private HttpRequest bareRequest;
  private HttpRequest bareRequestWithTimeout;

  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    simulator = SimulatorProcess.start(TOKENS);
    String prompt = SimulatorProcess.prompt(TOKENS);
    OllamaConfig config =
        OllamaConfig.from(
            Settings.of(
                Map.of(
                    "ollama.host",
                    simulator.baseUri().toString(),
                    "ollama.rate-limit.enabled",
                    "false")));
    ours = OllamaClient.create(config);
    oursUninstrumented = new OllamaClient(config, OllamaMetrics.disabled());
    request =
        GenerateRequest.builder(MODEL, prompt)
            .options(GenerationOptions.builder().temperature(0.0).numPredict(TOKENS).build())
            .build();
    bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String body =
        "{\"model\":\""
            + MODEL
            + "\",\"prompt\":\""
            + prompt
            + "\",\"stream\":false,\"options\":{\"temperature\":0.0,\"num_predict\":"
            + TOKENS
            + "}}";
    bareRequest =
        HttpRequest.newBuilder(simulator.baseUri().resolve("/api/generate"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    bareRequestWithTimeout =
        HttpRequest.newBuilder(bareRequest, (name, value) -> true)
            .timeout(config.requestTimeout())
            .build();
    // every variant must get the same answer, or one would be measured doing less work
    String expected = bareHttpClient().path("response").asText();
    for (OllamaClient client : new OllamaClient[] {ours, oursUninstrumented}) {
      LlmResponse answer = client.generate(request);
      if (!answer.text().equals(expected) || answer.outputTokens() != TOKENS) {
        throw new IllegalStateException(
            "the client got " + answer + ", the bare call '" + expected + "'");
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ours.close();
    oursUninstrumented.close();
    simulator.close();
  }

  @Benchmark
  public LlmResponse ours() {
    return ours.generate(request);
  }

  @Benchmark
  public LlmResponse oursUninstrumented() {
    return oursUninstrumented.generate(request);
  }

  @Benchmark
  public JsonNode bareHttpClient() throws IOException, InterruptedException {
    return bare(bareRequest);
  }

  /** The bare call with the request timeout ours sets ({@code ollama.timeout.request}). */
  @Benchmark
  public JsonNode bareHttpClientWithTimeout() throws IOException, InterruptedException {
    return bare(bareRequestWithTimeout);
  }

  private JsonNode bare(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = bare.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("generate answered " + response.statusCode());
    }
    return mapper.readTree(response.body());
  }
}
