package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.context.ExecutionContext;
import io.tinyllm.api.error.ErrorType;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.StreamHandle;
import io.tinyllm.api.time.Ticker;
import io.tinyllm.ollama.sim.SimulatedModel;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Known traffic gives exact counter values, and histogram observations land in the buckets the
 * simulator's timings put them in.
 */
class MetricsTruthTest {
  private static final String MODEL = "qwen2.5:0.5b";

  @Test
  void countersMatchTheTrafficAndTheServersTokenCounts() {
    try (ClientFixture f =
        ClientFixture.start(
            SimulatorConfig.builder()
                .timeScale(0)
                .cannedAnswer("ping", "pong is the answer")
                .build(),
            Map.of())) {
      for (int i = 0; i < 3; i++) {
        f.client.generate(GenerateRequest.builder(MODEL, "ping").build());
      }
      try (ExecutionContext.Scope scope = ExecutionContext.open("qa", "answer")) {
        for (int i = 0; i < 2; i++) {
          f.client.chat(ChatRequest.of(MODEL, List.of(ChatMessage.user("ping"))));
        }
        f.client.embed(EmbedRequest.of("nomic-embed-text", List.of("first text", "second")));
        assertThatThrownBy(() -> f.client.generate(GenerateRequest.builder("nope:1b", "x").build()))
            .isInstanceOf(ModelNotFoundException.class);
      }

      assertThat(f.family("tinyllm_requests_total"))
          .isEqualTo(
              """
              # HELP tinyllm_requests_total LLM requests started, by model, graph and request type
              # TYPE tinyllm_requests_total counter
              tinyllm_requests_total{graph="default",model="qwen2.5:0.5b",request_type="generate"} 3.0
              tinyllm_requests_total{graph="qa",model="nomic-embed-text:latest",request_type="embed"} 1.0
              tinyllm_requests_total{graph="qa",model="nope:1b",request_type="generate"} 1.0
              tinyllm_requests_total{graph="qa",model="qwen2.5:0.5b",request_type="chat"} 2.0
              """);
      // prompt "ping" renders to 29 tokens (qwen2.5's system prompt and ChatML tags), the answer
      // is 4; the embedded texts are 3 tokens
      assertThat(f.family("tinyllm_tokens_input_total"))
          .isEqualTo(
              """
              # HELP tinyllm_tokens_input_total Prompt tokens the model evaluated (Ollama's prompt_eval_count)
              # TYPE tinyllm_tokens_input_total counter
              tinyllm_tokens_input_total{graph="default",model="qwen2.5:0.5b"} 87.0
              tinyllm_tokens_input_total{graph="qa",model="nomic-embed-text:latest"} 3.0
              tinyllm_tokens_input_total{graph="qa",model="nope:1b"} 0.0
              tinyllm_tokens_input_total{graph="qa",model="qwen2.5:0.5b"} 58.0
              """);
      assertThat(f.family("tinyllm_tokens_output_total"))
          .isEqualTo(
              """
              # HELP tinyllm_tokens_output_total Tokens the model generated (Ollama's eval_count)
              # TYPE tinyllm_tokens_output_total counter
              tinyllm_tokens_output_total{graph="default",model="qwen2.5:0.5b"} 12.0
              tinyllm_tokens_output_total{graph="qa",model="nomic-embed-text:latest"} 0.0
              tinyllm_tokens_output_total{graph="qa",model="nope:1b"} 0.0
              tinyllm_tokens_output_total{graph="qa",model="qwen2.5:0.5b"} 8.0
              """);
      // every error type a call can end with exists at 0 for each model and graph seen
      assertThat(f.samples("tinyllm_errors_total"))
          .isEqualTo(
              """
              tinyllm_errors_total{error_type="model_not_found",graph="qa",model="nope:1b"} 1.0
              """);
      assertThat(f.family("tinyllm_errors_total").lines().filter(l -> l.endsWith("} 0.0")))
          .hasSize(4 * RequestMetrics.CLIENT_ERRORS.size() - 1);
      assertThat(f.family("tinyllm_request_outcomes_total"))
          .isEqualTo(
              """
              # HELP tinyllm_request_outcomes_total Finished LLM requests by outcome: success, error, cancelled
              # TYPE tinyllm_request_outcomes_total counter
              tinyllm_request_outcomes_total{model="nomic-embed-text:latest",outcome="cancelled"} 0.0
              tinyllm_request_outcomes_total{model="nomic-embed-text:latest",outcome="error"} 0.0
              tinyllm_request_outcomes_total{model="nomic-embed-text:latest",outcome="success"} 1.0
              tinyllm_request_outcomes_total{model="nope:1b",outcome="cancelled"} 0.0
              tinyllm_request_outcomes_total{model="nope:1b",outcome="error"} 1.0
              tinyllm_request_outcomes_total{model="nope:1b",outcome="success"} 0.0
              tinyllm_request_outcomes_total{model="qwen2.5:0.5b",outcome="cancelled"} 0.0
              tinyllm_request_outcomes_total{model="qwen2.5:0.5b",outcome="error"} 0.0
              tinyllm_request_outcomes_total{model="qwen2.5:0.5b",outcome="success"} 5.0
              """);
      // the node the call ran in, from the execution context; outside any graph: default
      assertThat(f.samples("tinyllm_node_requests_total"))
          .isEqualTo(
              """
              tinyllm_node_requests_total{graph="default",model="qwen2.5:0.5b",node="default",outcome="success"} 3.0
              tinyllm_node_requests_total{graph="qa",model="nomic-embed-text:latest",node="answer",outcome="success"} 1.0
              tinyllm_node_requests_total{graph="qa",model="nope:1b",node="answer",outcome="error"} 1.0
              tinyllm_node_requests_total{graph="qa",model="qwen2.5:0.5b",node="answer",outcome="success"} 2.0
              """);
      assertThat(f.samples("tinyllm_node_tokens_total"))
          .isEqualTo(
              """
              tinyllm_node_tokens_total{graph="default",model="qwen2.5:0.5b",node="default",type="input"} 87.0
              tinyllm_node_tokens_total{graph="default",model="qwen2.5:0.5b",node="default",type="output"} 12.0
              tinyllm_node_tokens_total{graph="qa",model="nomic-embed-text:latest",node="answer",type="input"} 3.0
              tinyllm_node_tokens_total{graph="qa",model="qwen2.5:0.5b",node="answer",type="input"} 58.0
              tinyllm_node_tokens_total{graph="qa",model="qwen2.5:0.5b",node="answer",type="output"} 8.0
              """);
      assertThat(f.samples("tinyllm_active_requests"))
          .isEqualTo(
              """
              tinyllm_active_requests{graph="default",model="qwen2.5:0.5b"} 0.0
              tinyllm_active_requests{graph="qa",model="nomic-embed-text:latest"} 0.0
              tinyllm_active_requests{graph="qa",model="nope:1b"} 0.0
              tinyllm_active_requests{graph="qa",model="qwen2.5:0.5b"} 0.0
              """);
      assertThat(
              f.value(
                  "tinyllm_request_latency_seconds_count{graph=\"default\",model=\"qwen2.5:0.5b\"}"))
          .isEqualTo(3.0);
      assertThat(f.value("tinyllm_request_latency_seconds_count{graph=\"qa\",model=\"nope:1b\"}"))
          .isEqualTo(1.0);
    }
  }

  @Test
  void activeRequestsCountsCallsInProgress() throws Exception {
    try (ClientFixture f =
        ClientFixture.start(
            SimulatorConfig.builder()
                .model(
                    SimulatedModel.completion("slow:1b")
                        .loadTime(Duration.ofMillis(1))
                        .tokensPerSecond(10)
                        .build())
                .cannedAnswer("ping", "one two three four five six")
                .build(),
            Map.of())) {
      RecordingListener listener = new RecordingListener();
      var handle =
          f.client.generateStream(GenerateRequest.builder("slow:1b", "ping").build(), listener);
      listener.awaitFirstToken();

      assertThat(f.samples("tinyllm_active_requests"))
          .isEqualTo("tinyllm_active_requests{graph=\"default\",model=\"slow:1b\"} 1.0\n");
      handle.completion().get(10, TimeUnit.SECONDS);
      assertThat(f.samples("tinyllm_active_requests"))
          .isEqualTo("tinyllm_active_requests{graph=\"default\",model=\"slow:1b\"} 0.0\n");
    }
  }

  /**
   * A model that loads in 700 ms, takes 120 ms to its first token and makes 1.6 tokens a second
   * (625 ms per token), streaming a 3-token answer twice: cold, then warm. Only a load of 400 ms or
   * more counts, so a warm call that a busy machine delays in the simulator is not a load.
   */
  @Test
  void streamingTimingsLandInTheirBuckets() throws Exception {
    String slow = "paced:1b";
    // the client's own clock readings, as each thread last read them: the caller sees exactly the
    // times the client recorded, whatever the machine's load
    ThreadLocal<Long> lastReading = new ThreadLocal<>();
    Ticker recording =
        () -> {
          long now = System.nanoTime();
          lastReading.set(now);
          return now;
        };
    try (ClientFixture f =
        ClientFixture.startTimedBy(
            SimulatorConfig.builder()
                .model(
                    SimulatedModel.completion(slow)
                        .loadTime(Duration.ofMillis(700))
                        .timeToFirstToken(Duration.ofMillis(120))
                        .tokensPerSecond(1.6)
                        .build())
                .cannedAnswer("ping", "pong is it")
                .build(),
            Map.of(OllamaConfig.MODEL_LOAD_THRESHOLD, "400ms"),
            recording)) {
      GenerateRequest ping = GenerateRequest.builder(slow, "ping").build();
      // what the caller saw: each stream's start (read by the call on the caller's thread) and
      // token arrivals (the client calls the listener right after it times a chunk, on the same
      // thread)
      List<List<Long>> streams = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        StreamHandle handle = f.client.generateStream(ping, t -> arrivals.add(lastReading.get()));
        arrivals.add(0, lastReading.get());
        handle.completion().get(10, TimeUnit.SECONDS);
        assertThat(arrivals).hasSize(4);
        streams.add(arrivals);
      }
      List<Double> firstTokens = new ArrayList<>();
      List<Double> gaps = new ArrayList<>();
      for (List<Long> arrivals : streams) {
        firstTokens.add((arrivals.get(1) - arrivals.get(0)) / 1e9);
        for (int i = 2; i < arrivals.size(); i++) {
          gaps.add((arrivals.get(i) - arrivals.get(i - 1)) / 1e9);
        }
      }

      assertThat(
              f.value(
                  "tinyllm_requests_total{graph=\"default\",model=\"paced:1b\",request_type=\"generate_stream\"}"))
          .isEqualTo(2.0);
      // The client times these by the wall clock, as chunks arrive: on a quiet machine the first
      // token comes 820 ms (cold: 700 ms load + 120 ms) and 120 ms (warm) after the call, in the
      // 1.0 and 0.25 buckets, and the 2 gaps per stream are 625 ms, in the 0.75 bucket. On a busy
      // one a chunk read late lengthens its own time and shortens the next gap, possibly across a
      // bucket bound; so each bucket must count exactly the times of the client's own readings.
      assertThat(buckets(f, "tinyllm_time_to_first_token_seconds"))
          .contains("{graph=\"default\",model=\"paced:1b\",le=\"+Inf\"} 2")
          .isEqualTo(holding(buckets(f, "tinyllm_time_to_first_token_seconds"), firstTokens));
      assertThat(buckets(f, "tinyllm_inter_token_latency_seconds"))
          .contains("{model=\"paced:1b\",le=\"+Inf\"} 4")
          .isEqualTo(holding(buckets(f, "tinyllm_inter_token_latency_seconds"), gaps));
      // Ollama's own figures are exact: 3 tokens in 1.875 s, prompt in 120 ms, one load
      assertThat(buckets(f, "tinyllm_output_tokens_per_second"))
          .contains("{model=\"paced:1b\",le=\"1.0\"} 0", "{model=\"paced:1b\",le=\"2.5\"} 2");
      assertThat(f.value("tinyllm_output_tokens_per_second_sum{model=\"paced:1b\"}"))
          .isEqualTo(3.2);
      assertThat(buckets(f, "tinyllm_ollama_eval_duration_seconds"))
          .contains("{model=\"paced:1b\",le=\"1.0\"} 0", "{model=\"paced:1b\",le=\"2.5\"} 2");
      assertThat(f.value("tinyllm_ollama_eval_duration_seconds_sum{model=\"paced:1b\"}"))
          .isEqualTo(3.75);
      assertThat(buckets(f, "tinyllm_ollama_prompt_eval_duration_seconds"))
          .contains("{model=\"paced:1b\",le=\"0.1\"} 0", "{model=\"paced:1b\",le=\"0.25\"} 2");
      assertThat(buckets(f, "tinyllm_model_load_duration_seconds"))
          .isEqualTo(
              """
              {model="paced:1b",le="0.1"} 0
              {model="paced:1b",le="0.5"} 0
              {model="paced:1b",le="1.0"} 1
              {model="paced:1b",le="2.0"} 1
              {model="paced:1b",le="5.0"} 1
              {model="paced:1b",le="10.0"} 1
              {model="paced:1b",le="30.0"} 1
              {model="paced:1b",le="60.0"} 1
              {model="paced:1b",le="120.0"} 1
              {model="paced:1b",le="300.0"} 1
              {model="paced:1b",le="+Inf"} 1
              """);
      assertThat(f.value("tinyllm_tokens_output_total{graph=\"default\",model=\"paced:1b\"}"))
          .isEqualTo(6.0);
      assertThat(
              f.value(
                  "tinyllm_request_latency_seconds_count{graph=\"default\",model=\"paced:1b\"}"))
          .isEqualTo(2.0);
    }
  }

  @Test
  void modelLabelsPassTheGuard() {
    try (ClientFixture f =
        ClientFixture.start(SimulatorConfig.builder().timeScale(0).build(), Map.of())) {
      OllamaMetrics capped =
          new OllamaMetrics(new io.tinyllm.metrics.LabelGuard(1, 64), Duration.ofMillis(100));
      io.prometheus.metrics.model.registry.PrometheusRegistry registry =
          new io.prometheus.metrics.model.registry.PrometheusRegistry();
      capped.sets().forEach(set -> set.collectors().forEach(registry::register));
      capped.requestStarted("a:1b", RequestType.GENERATE).failed(ErrorType.TIMEOUT);
      capped.requestStarted("b:1b", RequestType.GENERATE).failed(ErrorType.TIMEOUT);

      assertThat(ClientFixture.family(ClientFixture.scrape(registry), "tinyllm_requests_total"))
          .contains("model=\"a:1b\"", "model=\"other\"")
          .doesNotContain("model=\"b:1b\"");
    }
  }

  private static final Pattern BUCKET = Pattern.compile("(.*le=\"([^\"]+)\"\\} )\\d+");

  /**
   * {@code buckets} as they read when their histogram holds exactly {@code observed} (seconds):
   * each cumulative count is the number of values at or below its bound.
   */
  private static String holding(String buckets, List<Double> observed) {
    StringBuilder out = new StringBuilder();
    for (String line : buckets.split("\n")) {
      Matcher m = BUCKET.matcher(line);
      assertThat(m.matches()).as("a bucket line: %s", line).isTrue();
      double bound =
          m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
      out.append(m.group(1)).append(observed.stream().filter(v -> v <= bound).count()).append('\n');
    }
    return out.toString();
  }

  /** Bucket lines of {@code family}, each without the metric name. */
  private static String buckets(ClientFixture f, String family) {
    StringBuilder out = new StringBuilder();
    for (String line : f.samples(family).split("\n")) {
      if (line.startsWith(family + "_bucket")) {
        out.append(line.substring((family + "_bucket").length())).append('\n');
      }
    }
    return out.toString();
  }
}
