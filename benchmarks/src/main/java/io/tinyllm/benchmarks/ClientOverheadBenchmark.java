package io.tinyllm.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
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
 * Item 4 of issue #9: one non-streaming {@code /api/generate} against the in-process simulator with
 * no simulated delay, through our {@link OllamaClient} (metrics, circuit breaker and retry on; rate
 * limiter off) and as a bare {@link HttpClient} call with a prebuilt body whose answer Jackson
 * parses into a tree. The difference is what our client costs per request, metrics included; the
 * simulator's own work, on the same two cores, is in both. The first calls take hundreds of
 * milliseconds (class loading, JIT, first connection): never run it without warm-up.
 *
 * <p>Latest figures (2026-11-27; KVM guest, 2 vCPUs Intel Xeon family 6 model 207; OpenJDK 17.0.15;
 * JMH 1.37; {@code -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}; load average 0.1 to 2.7; details in
 * {@code docs/performance.md}, item 4):
 *
 * <pre>
 * ours             1202.714 ± 1237.404 us/op   68203 B/op
 * bareHttpClient    840.794 ±  928.818 us/op   61735 B/op
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClientOverheadBenchmark {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final String PROMPT = "What is 2+2?";

  private final ObjectMapper mapper = new ObjectMapper();
  private OllamaSimulator simulator;
  private OllamaClient ours;
  private GenerateRequest request;
  private HttpClient bare;
  private HttpRequest bareRequest;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    simulator = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0).build());
    ours =
        OllamaClient.create(
            OllamaConfig.from(
                Settings.of(
                    Map.of(
                        "ollama.host",
                        simulator.baseUri().toString(),
                        "ollama.rate-limit.enabled",
                        "false"))));
    request =
        GenerateRequest.builder(MODEL, PROMPT)
            .options(GenerationOptions.builder().temperature(0.0).numPredict(16).build())
            .build();
    bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String body =
        "{\"model\":\""
            + MODEL
            + "\",\"prompt\":\""
            + PROMPT
            + "\",\"stream\":false,\"options\":{\"temperature\":0.0,\"num_predict\":16}}";
    bareRequest =
        HttpRequest.newBuilder(simulator.baseUri().resolve("/api/generate"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ours.close();
    simulator.close();
  }

  @Benchmark
  public LlmResponse ours() {
    return ours.generate(request);
  }

  @Benchmark
  public JsonNode bareHttpClient() throws IOException, InterruptedException {
    HttpResponse<String> response = bare.send(bareRequest, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("generate answered " + response.statusCode());
    }
    return mapper.readTree(response.body());
  }
}
