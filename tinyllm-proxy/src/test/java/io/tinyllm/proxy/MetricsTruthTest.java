package io.tinyllm.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Known traffic through the proxy gives exact counts and token sums in the client's families. */
class MetricsTruthTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String QWEN = "qwen2.5:0.5b";

  @Test
  void nativeTrafficIsCountedAsTheClientCountsIt() {
    SimulatorConfig config = SimulatorConfig.builder().port(0).timeScale(0.01).build();
    try (ProxyFixture f = ProxyFixture.simulator(config)) {
      Map<String, long[]> tokens = new TreeMap<>(); // graph -> {input, output}
      int outputChunks = 0;
      int streams = 0;
      for (String body :
          List.of(
              "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"one\",\"stream\":false}",
              "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"two words\",\"stream\":false}",
              "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"three\"}")) {
        List<JsonNode> lines = lines(f.post(f.uri("/api/generate"), body));
        add(tokens, "default", lines);
        if (lines.size() > 1) {
          streams++;
          outputChunks += outputs(lines, "response");
        }
      }
      List<JsonNode> chatStream =
          lines(
              f.post(
                  f.uri("/api/chat"),
                  "{\"model\":\"qwen2.5:0.5b\",\"messages\":[{\"role\":\"user\",\"content\":"
                      + "\"hi\"}]}",
                  "X-TinyLLM-Graph",
                  "qa"));
      add(tokens, "qa", chatStream);
      outputChunks += outputs(chatStream, "message");
      add(
          tokens,
          "default",
          lines(
              f.post(
                  f.uri("/api/chat"),
                  "{\"model\":\"qwen2.5:0.5b\",\"stream\":false,\"messages\":[{\"role\":"
                      + "\"user\",\"content\":\"hello\"}]}")));
      JsonNode embed =
          lines(
                  f.post(
                      f.uri("/api/embed"),
                      "{\"model\":\"nomic-embed-text\",\"input\":[\"a\",\"b c\"]}"))
              .get(0);
      HttpResponse<byte[]> missing =
          f.post(f.uri("/api/generate"), "{\"model\":\"missing\",\"prompt\":\"x\"}");

      assertThat(streams).isEqualTo(1);
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(lines(f.samples("tinyllm_requests_total")))
          .containsExactlyInAnyOrder(
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"generate\"} 2.0",
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"generate_stream\"} 1.0",
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"chat\"} 1.0",
              "tinyllm_requests_total{graph=\"qa\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"chat_stream\"} 1.0",
              "tinyllm_requests_total{graph=\"default\",model=\"nomic-embed-text:latest\","
                  + "request_type=\"embed\"} 1.0",
              "tinyllm_requests_total{graph=\"default\",model=\"missing:latest\","
                  + "request_type=\"generate_stream\"} 1.0");
      assertThat(lines(f.samples("tinyllm_tokens_input_total")))
          .containsExactlyInAnyOrder(
              "tinyllm_tokens_input_total{graph=\"default\",model=\"qwen2.5:0.5b\"} "
                  + (double) tokens.get("default")[0],
              "tinyllm_tokens_input_total{graph=\"qa\",model=\"qwen2.5:0.5b\"} "
                  + (double) tokens.get("qa")[0],
              "tinyllm_tokens_input_total{graph=\"default\",model=\"nomic-embed-text:latest\"} "
                  + embed.get("prompt_eval_count").asDouble());
      assertThat(lines(f.samples("tinyllm_tokens_output_total")))
          .containsExactlyInAnyOrder(
              "tinyllm_tokens_output_total{graph=\"default\",model=\"qwen2.5:0.5b\"} "
                  + (double) tokens.get("default")[1],
              "tinyllm_tokens_output_total{graph=\"qa\",model=\"qwen2.5:0.5b\"} "
                  + (double) tokens.get("qa")[1]);
      assertThat(tokens.get("default")[0]).isPositive();
      assertThat(lines(f.samples("tinyllm_request_outcomes_total")))
          .containsExactlyInAnyOrder(
              "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"success\"} 5.0",
              "tinyllm_request_outcomes_total{model=\"nomic-embed-text:latest\","
                  + "outcome=\"success\"} 1.0",
              "tinyllm_request_outcomes_total{model=\"missing:latest\",outcome=\"error\"} 1.0");
      assertThat(lines(f.samples("tinyllm_errors_total")))
          .containsExactly(
              "tinyllm_errors_total{error_type=\"model_not_found\",graph=\"default\","
                  + "model=\"missing:latest\"} 1.0");
      assertThat(lines(f.samples("tinyllm_active_requests")))
          .allSatisfy(line -> assertThat(line).endsWith(" 0.0"));
      assertThat(f.samples("tinyllm_request_latency_seconds_count"))
          .contains("{graph=\"default\",model=\"qwen2.5:0.5b\"} 4\n")
          .contains("{graph=\"qa\",model=\"qwen2.5:0.5b\"} 1\n");
      assertThat(lines(f.samples("tinyllm_time_to_first_token_seconds_count")))
          .containsExactlyInAnyOrder(
              "tinyllm_time_to_first_token_seconds_count{graph=\"default\","
                  + "model=\"qwen2.5:0.5b\"} 1",
              "tinyllm_time_to_first_token_seconds_count{graph=\"qa\",model=\"qwen2.5:0.5b\"} 1");
      assertThat(f.samples("tinyllm_inter_token_latency_seconds_count"))
          .isEqualTo(
              "tinyllm_inter_token_latency_seconds_count{model=\"qwen2.5:0.5b\"} "
                  + (outputChunks - 2)
                  + "\n");
      assertThat(f.samples("tinyllm_ollama_eval_duration_seconds_count"))
          .isEqualTo("tinyllm_ollama_eval_duration_seconds_count{model=\"qwen2.5:0.5b\"} 5\n");
      assertThat(f.samples("tinyllm_output_tokens_per_second_count"))
          .isEqualTo("tinyllm_output_tokens_per_second_count{model=\"qwen2.5:0.5b\"} 5\n");
      assertThat(lines(f.samples("tinyllm_proxy_requests_total")))
          .containsExactlyInAnyOrder(
              "tinyllm_proxy_requests_total{code=\"2xx\",path=\"/api/generate\"} 3.0",
              "tinyllm_proxy_requests_total{code=\"4xx\",path=\"/api/generate\"} 1.0",
              "tinyllm_proxy_requests_total{code=\"2xx\",path=\"/api/chat\"} 2.0",
              "tinyllm_proxy_requests_total{code=\"2xx\",path=\"/api/embed\"} 1.0");
      f.awaitSamples("tinyllm_proxy_active_requests", "tinyllm_proxy_active_requests 0.0\n");
    }
  }

  @Test
  void openAiTrafficIsCountedFromItsUsage() {
    try (CannedUpstream upstream =
            new CannedUpstream(
                exchange -> {
                  String body =
                      new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                  if (!body.contains("\"stream\":true")) {
                    Canned.whole(exchange, 200, Canned.OPENAI_WHOLE);
                  } else if (body.contains("include_usage")) {
                    Canned.stream(exchange, "text/event-stream", Canned.OPENAI_STREAM_WITH_USAGE);
                  } else {
                    Canned.stream(
                        exchange, "text/event-stream", Canned.OPENAI_STREAM_WITHOUT_USAGE);
                  }
                });
        ProxyFixture f = ProxyFixture.upstream(upstream.uri())) {
      String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
      f.post(
          f.uri("/v1/chat/completions"),
          "{\"model\":\"qwen2.5:0.5b\",\"stream\":true,"
              + "\"stream_options\":{\"include_usage\":true},"
              + messages
              + "}");
      f.post(
          f.uri("/v1/chat/completions"),
          "{\"model\":\"qwen2.5:0.5b\",\"stream\":true," + messages + "}");
      f.post(f.uri("/v1/chat/completions"), "{\"model\":\"qwen2.5:0.5b\"," + messages + "}");

      assertThat(lines(f.samples("tinyllm_requests_total")))
          .containsExactlyInAnyOrder(
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"openai_chat_stream\"} 2.0",
              "tinyllm_requests_total{graph=\"default\",model=\"qwen2.5:0.5b\","
                  + "request_type=\"openai_chat\"} 1.0");
      // usage of the stream that asked for it (9 + 2) and of the whole answer (5 + 1); the
      // stream without usage counts no tokens rather than guessed ones
      assertThat(f.samples("tinyllm_tokens_input_total"))
          .isEqualTo("tinyllm_tokens_input_total{graph=\"default\",model=\"qwen2.5:0.5b\"} 14.0\n");
      assertThat(f.samples("tinyllm_tokens_output_total"))
          .isEqualTo("tinyllm_tokens_output_total{graph=\"default\",model=\"qwen2.5:0.5b\"} 3.0\n");
      assertThat(f.samples("tinyllm_request_outcomes_total"))
          .isEqualTo(
              "tinyllm_request_outcomes_total{model=\"qwen2.5:0.5b\",outcome=\"success\"} 3.0\n");
      assertThat(f.samples("tinyllm_time_to_first_token_seconds_count"))
          .isEqualTo(
              "tinyllm_time_to_first_token_seconds_count{graph=\"default\","
                  + "model=\"qwen2.5:0.5b\"} 2\n");
      // two pieces of content per stream: one gap each
      assertThat(f.samples("tinyllm_inter_token_latency_seconds_count"))
          .isEqualTo("tinyllm_inter_token_latency_seconds_count{model=\"qwen2.5:0.5b\"} 2\n");
      // OpenAI answers report no durations: nothing is observed rather than zeros
      assertThat(f.samples("tinyllm_ollama_eval_duration_seconds_count")).isEmpty();
    }
  }

  @Test
  void aNativeStreamCutShortOrReportingAnErrorFailsAsAStreamError() {
    List<byte[]> cut = Canned.CHAT_STREAM.subList(0, 2);
    byte[] errorLine = "{\"error\":\"runner crashed\"}\n".getBytes(StandardCharsets.UTF_8);
    List<byte[]> withError = List.of(Canned.CHAT_STREAM.get(0), errorLine);
    try (CannedUpstream upstream =
            new CannedUpstream(
                exchange -> {
                  String body =
                      new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                  Canned.stream(
                      exchange, "application/x-ndjson", body.contains("cut") ? cut : withError);
                });
        ProxyFixture f = ProxyFixture.upstream(upstream.uri())) {
      f.post(f.uri("/api/chat"), "{\"model\":\"qwen2.5:0.5b\",\"messages\":\"cut\"}");
      f.post(f.uri("/api/chat"), "{\"model\":\"qwen2.5:0.5b\",\"messages\":\"error\"}");

      assertThat(f.samples("tinyllm_errors_total"))
          .isEqualTo(
              "tinyllm_errors_total{error_type=\"stream_error\",graph=\"default\","
                  + "model=\"qwen2.5:0.5b\"} 2.0\n");
      assertThat(f.samples("tinyllm_tokens_output_total")).isEmpty();
    }
  }

  @Test
  void anOllamaThatCannotBeReachedIsABadGatewayAndAConnectionError() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (ProxyFixture f = ProxyFixture.upstream(URI.create("http://127.0.0.1:" + closedPort))) {
      HttpResponse<byte[]> answer =
          f.post(f.uri("/api/generate"), "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"x\"}");
      HttpResponse<byte[]> tags = f.send(HttpRequest.newBuilder(f.uri("/api/tags")).build());

      assertThat(answer.statusCode()).isEqualTo(502);
      assertThat(tags.statusCode()).isEqualTo(502);
      assertThat(new String(answer.body(), StandardCharsets.UTF_8))
          .startsWith("{\"error\":\"cannot reach Ollama at http://127.0.0.1:" + closedPort);
      assertThat(f.samples("tinyllm_errors_total"))
          .isEqualTo(
              "tinyllm_errors_total{error_type=\"connection\",graph=\"default\","
                  + "model=\"qwen2.5:0.5b\"} 1.0\n");
      assertThat(lines(f.samples("tinyllm_proxy_upstream_failures_total")))
          .containsExactlyInAnyOrder(
              "tinyllm_proxy_upstream_failures_total{path=\"/api/generate\"} 1.0",
              "tinyllm_proxy_upstream_failures_total{path=\"/api/tags\"} 1.0");
    }
  }

  @Test
  void metricsAreServedOnTheProxysOwnPortAndNeverForwarded() {
    try (ProxyFixture f = ProxyFixture.simulator()) {
      f.send(HttpRequest.newBuilder(f.uri("/api/tags")).build());
      HttpResponse<byte[]> metrics = f.send(HttpRequest.newBuilder(f.uri("/metrics")).build());

      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(new String(metrics.body(), StandardCharsets.UTF_8))
          .contains("tinyllm_proxy_requests_total{code=\"2xx\",path=\"/api/tags\"} 1.0");
      assertThat(f.sim.stats().totalRequests()).isEqualTo(1);
    }
  }

  @Test
  void metricsAnswerTheFormatAskedForOnlyTheFamiliesNamedAndGzipWhenAccepted() throws Exception {
    try (ProxyFixture f = ProxyFixture.simulator()) {
      f.send(HttpRequest.newBuilder(f.uri("/api/tags")).build());
      HttpResponse<byte[]> open =
          f.send(
              HttpRequest.newBuilder(
                      f.uri("/metrics?name[]=tinyllm_proxy_requests_total&name[]=nothing"))
                  .header("Accept", "application/openmetrics-text; version=1.0.0")
                  .build());
      assertThat(open.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/openmetrics-text");
      String text = new String(open.body(), StandardCharsets.UTF_8);
      assertThat(text)
          .contains("tinyllm_proxy_requests_total{code=\"2xx\",path=\"/api/tags\"} 1")
          .endsWith("# EOF\n");
      assertThat(text.lines().filter(line -> line.startsWith("# TYPE")))
          .containsExactly("# TYPE tinyllm_proxy_requests counter");

      HttpResponse<byte[]> zipped =
          f.send(
              HttpRequest.newBuilder(f.uri("/metrics")).header("Accept-Encoding", "gzip").build());
      assertThat(zipped.headers().firstValue("Content-Encoding")).contains("gzip");
      try (java.util.zip.GZIPInputStream in =
          new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body()))) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
            .contains("tinyllm_proxy_requests_total{code=\"2xx\",path=\"/api/tags\"} 1.0");
      }
    }
  }

  private static void add(Map<String, long[]> tokens, String graph, List<JsonNode> lines) {
    JsonNode last = lines.get(lines.size() - 1);
    long[] sums = tokens.computeIfAbsent(graph, g -> new long[2]);
    sums[0] += last.path("prompt_eval_count").asLong();
    sums[1] += last.path("eval_count").asLong();
  }

  /** Chunks carrying output: a non-empty response, or message content or thinking. */
  private static int outputs(List<JsonNode> lines, String field) {
    int count = 0;
    for (JsonNode line : lines) {
      JsonNode value = line.path(field);
      boolean output =
          field.equals("response")
              ? !value.asText().isEmpty() || !line.path("thinking").asText().isEmpty()
              : !value.path("content").asText().isEmpty()
                  || !value.path("thinking").asText().isEmpty();
      if (output) {
        count++;
      }
    }
    return count;
  }

  private static List<JsonNode> lines(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8)
        .lines()
        .map(
            line -> {
              try {
                return JSON.readTree(line);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .toList();
  }

  private static List<String> lines(String samples) {
    return samples.lines().toList();
  }
}
