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
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * Item 4 of issue #9: one streamed {@code /api/generate} (NDJSON, one line per token) from the
 * in-process simulator with no simulated delay, through our {@link OllamaClient#generateStream}
 * (stream thread, idle timeout, per-token metrics, listener) against a bare {@link HttpClient}
 * reading the lines and parsing each with Jackson. Divide by the tokens per stream printed at setup
 * for a per-token figure; the simulator's own work is in both.
 *
 * <p>Latest figures (2026-11-27; KVM guest, 2 vCPUs Intel Xeon family 6 model 207; OpenJDK 17.0.15;
 * JMH 1.37; {@code -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc}; load average 0.1 to 2.7; details in
 * {@code docs/performance.md}, item 4):
 *
 * <pre>
 * ours         1697.303 ± 1357.937 us/op (29 tokens)   176939 B/op
 * bareStream   1857.967 ± 3955.235 us/op               193219 B/op
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StreamingBenchmark {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final String PROMPT = "Why is the sky blue?";

  private final ObjectMapper mapper = new ObjectMapper();
  private OllamaSimulator simulator;
  private OllamaClient ours;
  private GenerateRequest request;
  private HttpClient bare;
  private HttpRequest bareRequest;

  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
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
            .options(GenerationOptions.builder().temperature(0.0).numPredict(256).build())
            .build();
    bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String body =
        "{\"model\":\""
            + MODEL
            + "\",\"prompt\":\""
            + PROMPT
            + "\",\"stream\":true,\"options\":{\"temperature\":0.0,\"num_predict\":256}}";
    bareRequest =
        HttpRequest.newBuilder(simulator.baseUri().resolve("/api/generate"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    LlmResponse response = ours();
    System.out.printf(
        "%n[stream] %d output tokens, %d NDJSON lines per stream%n",
        response.outputTokens(), bareStream());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    ours.close();
    simulator.close();
  }

  @Benchmark
  public LlmResponse ours() {
    return ours.generateStream(request, token -> {}).completion().join();
  }

  @Benchmark
  public int bareStream() throws IOException, InterruptedException {
    HttpResponse<Stream<String>> response =
        bare.send(bareRequest, HttpResponse.BodyHandlers.ofLines());
    int lines = 0;
    try (Stream<String> body = response.body()) {
      for (String line : (Iterable<String>) body::iterator) {
        JsonNode node = parse(line);
        if (node.path("done").asBoolean()) {
          return lines + 1;
        }
        lines++;
      }
    }
    return lines;
  }

  private JsonNode parse(String line) {
    try {
      return mapper.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
