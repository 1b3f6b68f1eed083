package io.tinyllm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.it.containers.OllamaContainer;
import io.tinyllm.it.containers.PrometheusContainer;
import io.tinyllm.it.containers.TinyLlmContainer;
import io.tinyllm.it.support.Http;
import io.tinyllm.it.support.MetricSamples;
import io.tinyllm.it.support.Polling;
import io.tinyllm.it.support.PromQlExamples;
import io.tinyllm.it.support.PrometheusApi;
import io.tinyllm.it.support.RequiresDocker;
import io.tinyllm.it.support.ShippedQueries;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startables;

/**
 * {@code tinyllm proxy} in a container in front of a fleet of two Ollama servers (the simulator in
 * the CLI image, by default), backends {@code a} and {@code b}, with Prometheus scraping the
 * proxy's {@code /metrics}; all on one network, found by alias. Known traffic through the proxy
 * gives exact counts and token sums on the proxy's {@code /metrics} and in Prometheus; stopping
 * {@code b} loses no request (they fail over to {@code a}) and takes {@code b} out of the fleet.
 * The fleet's alerts of {@code rules.yml} go pending for the stopped backend and for a model no
 * backend has. Every shipped query of the proxy's families (the dashboard's fleet row), which
 * {@link ShippedQueriesIT}'s demo cannot answer, is asked of this Prometheus.
 *
 * <p>The tests run in order: the last one stops a backend. Each compares what its own traffic added
 * to a scrape taken before it, so the first one's figures do not depend on the wait for the proxy's
 * view of the fleet.
 */
@RequiresDocker
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxyFleetIT {
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JOB = "tinyllm-proxy";
  private static final String MISSING_MODEL = "tinyllm-it-missing:1b";
  private static final String CONFIG =
      """
      global:
        scrape_interval: 1s
        evaluation_interval: 1s
      rule_files:
        - rules.yml
      scrape_configs:
        - job_name: %s
          static_configs:
            - targets: ["proxy:%d"]
      """
          .formatted(JOB, TinyLlmContainer.PROXY_PORT);

  private static final Network network = Network.newNetwork();
  static final OllamaContainer simA =
      new OllamaContainer().withNetwork(network).withNetworkAliases("sim-a");
  static final OllamaContainer simB =
      new OllamaContainer().withNetwork(network).withNetworkAliases("sim-b");
  static final TinyLlmContainer proxy =
      TinyLlmContainer.proxying(
              "a=http://sim-a:" + OllamaContainer.PORT, "b=http://sim-b:" + OllamaContainer.PORT)
          .withNetwork(network)
          .withNetworkAliases("proxy")
          .dependsOn(simA, simB);
  static final PrometheusContainer prometheus =
      new PrometheusContainer().withNetwork(network).withConfig(CONFIG);

  /** Grafana's {@code $__rate_interval} for a 1 s scrape interval: four scrape intervals. */
  private static final String RATE_INTERVAL = "4s";

  private static String model;
  private static Instant started;

  @BeforeAll
  static void start() throws Exception {
    // the rules as shipped: the fleet's alerts must see what the proxy records
    prometheus.withRules(Files.readString(PromQlExamples.docs().resolve("prometheus/rules.yml")));
    Startables.deepStart(proxy, prometheus).join();
    started = Instant.now();
    model = simA.models().chat();
    // the model loaded on both servers, straight and for an hour, and the proxy's health checks
    // (every 10 s) seeing it: every routing decision is then "loaded", ties alternating
    String load = "{\"model\":\"%s\",\"keep_alive\":\"1h\"}".formatted(model);
    Http.post(simA.url() + "/api/generate", load);
    Http.post(simB.url() + "/api/generate", load);
    Polling.untilAsserted(
        WITHIN,
        () ->
            assertThat(proxyMetrics().series("tinyllm_proxy_backend_models_loaded"))
                .extracting(s -> s.label("backend"), MetricSamples.Sample::value)
                .containsExactlyInAnyOrder(tuple("a", 1.0), tuple("b", 1.0)));
  }

  @AfterAll
  static void stop() {
    // no Ryuk here (its image would come from a registry), so everything is removed by hand
    prometheus.stop();
    proxy.stop();
    simB.stop();
    simA.stop();
    network.close();
  }

  @Test
  @Order(1)
  void knownTrafficGivesExactCountsAndTokenSumsOnTheProxyAndInPrometheus() throws Exception {
    MetricSamples before = proxyMetrics();
    String user = "{\"role\":\"user\",\"content\":\"Why is the sky blue?\"}";
    String options = "\"options\":{\"num_predict\":24}";

    JsonNode generate =
        JSON.readTree(
            post(
                "/api/generate",
                "{\"model\":\"%s\",\"prompt\":\"Why is the sky blue?\",\"stream\":false,%s}"
                    .formatted(model, options)));
    JsonNode chat =
        JSON.readTree(
            post(
                "/api/chat",
                "{\"model\":\"%s\",\"messages\":[%s],\"stream\":false,%s}"
                    .formatted(model, user, options)));
    JsonNode generateStream =
        lastLine(
            post(
                "/api/generate",
                "{\"model\":\"%s\",\"prompt\":\"Name a river.\",%s}".formatted(model, options)));
    JsonNode chatStream =
        lastLine(
            post(
                "/api/chat",
                "{\"model\":\"%s\",\"messages\":[%s],\"stream\":true,%s}"
                    .formatted(model, user, options)));
    JsonNode openai =
        JSON.readTree(
            post(
                "/v1/chat/completions",
                "{\"model\":\"%s\",\"messages\":[%s],\"max_tokens\":24}".formatted(model, user)));

    List<JsonNode> nativeAnswers = List.of(generate, chat, generateStream, chatStream);
    for (JsonNode answer : nativeAnswers) {
      assertThat(answer.path("done").asBoolean()).as("final chunk: %s", answer).isTrue();
      assertThat(answer.path("eval_count").asLong()).as("eval_count of %s", answer).isPositive();
    }
    JsonNode usage = openai.path("usage");
    assertThat(usage.path("completion_tokens").asLong()).as("usage: %s", openai).isPositive();
    long input = usage.path("prompt_tokens").asLong();
    long output = usage.path("completion_tokens").asLong();
    for (JsonNode answer : nativeAnswers) {
      input += answer.path("prompt_eval_count").asLong();
      output += answer.path("eval_count").asLong();
    }

    MetricSamples after = proxyMetrics();
    Map<String, Double> calls =
        Map.of(
            "generate", 1.0,
            "chat", 1.0,
            "generate_stream", 1.0,
            "chat_stream", 1.0,
            "openai_chat", 1.0);
    calls.forEach(
        (type, count) ->
            assertThat(added(before, after, "tinyllm_requests_total", "request_type", type))
                .as("tinyllm_requests_total{request_type=%s}", type)
                .isEqualTo(count));
    assertThat(added(before, after, "tinyllm_requests_total")).isEqualTo(5);
    assertThat(added(before, after, "tinyllm_tokens_input_total")).isEqualTo(input);
    assertThat(added(before, after, "tinyllm_tokens_output_total")).isEqualTo(output);
    assertThat(added(before, after, "tinyllm_request_latency_seconds_count")).isEqualTo(5);
    // a first token per streamed call; none for whole answers
    assertThat(added(before, after, "tinyllm_time_to_first_token_seconds_count")).isEqualTo(2);
    assertThat(added(before, after, "tinyllm_errors_total")).isZero();
    // by path (scrapes of /metrics are exchanges too)
    Map.of("/api/generate", 2.0, "/api/chat", 2.0, "/v1/chat/completions", 1.0)
        .forEach(
            (path, count) ->
                assertThat(
                        added(
                            before,
                            after,
                            "tinyllm_proxy_requests_total",
                            "path",
                            path,
                            "code",
                            "2xx"))
                    .as("tinyllm_proxy_requests_total{path=%s,code=2xx}", path)
                    .isEqualTo(count));
    // the fleet: one attempt and one decision per call. Both backends have the model loaded;
    // the three chats (native, streamed, OpenAI) share their first message, so they are one
    // conversation, and the last two follow the first to its backend
    assertThat(added(before, after, "tinyllm_proxy_backend_requests_total")).isEqualTo(5);
    assertThat(added(before, after, "tinyllm_proxy_routing_decisions_total")).isEqualTo(5);
    assertThat(added(before, after, "tinyllm_proxy_routing_decisions_total", "reason", "loaded"))
        .isEqualTo(3);
    assertThat(added(before, after, "tinyllm_proxy_routing_decisions_total", "reason", "affinity"))
        .isEqualTo(2);
    assertThat(added(before, after, "tinyllm_proxy_backend_requests_total", "backend", "a"))
        .isPositive();
    assertThat(added(before, after, "tinyllm_proxy_backend_requests_total", "backend", "b"))
        .isPositive();
    assertThat(added(before, after, "tinyllm_proxy_backend_failovers_total")).isZero();
    assertThat(added(before, after, "tinyllm_proxy_backend_errors_total")).isZero();
    assertThat(after.series("tinyllm_proxy_backend_in_flight"))
        .allSatisfy(s -> assertThat(s.value()).isZero());

    // Prometheus scraped the same figures: the proxy is idle, so they stay until it has
    PrometheusApi api = new PrometheusApi(prometheus.url());
    Polling.untilAsserted(
        WITHIN,
        () -> {
          for (String type : calls.keySet()) {
            assertPrometheus(
                api,
                "sum(tinyllm_requests_total{request_type=\"" + type + "\"})",
                after.sum("tinyllm_requests_total", "request_type", type));
          }
          assertPrometheus(
              api, "sum(tinyllm_tokens_input_total)", after.sum("tinyllm_tokens_input_total"));
          assertPrometheus(
              api, "sum(tinyllm_tokens_output_total)", after.sum("tinyllm_tokens_output_total"));
          assertPrometheus(
              api,
              "sum(tinyllm_time_to_first_token_seconds_count)",
              after.sum("tinyllm_time_to_first_token_seconds_count"));
          for (String backend : List.of("a", "b")) {
            assertPrometheus(
                api,
                "sum(tinyllm_proxy_routing_decisions_total{backend=\"" + backend + "\"})",
                after.sum("tinyllm_proxy_routing_decisions_total", "backend", backend));
            assertPrometheus(api, "tinyllm_proxy_backend_up{backend=\"" + backend + "\"}", 1.0);
          }
        });
  }

  @Test
  @Order(2)
  void aStoppedBackendLosesNoRequestAndLeavesTheFleet() throws Exception {
    MetricSamples before = proxyMetrics();
    simB.getDockerClient().stopContainerCmd(simB.getContainerId()).exec();

    // b is still in the fleet for the proxy (until its health checks fail three times in a row),
    // so calls still go to it, fail before their first byte, and move to a
    int calls = 6;
    for (int i = 0; i < calls; i++) {
      JsonNode answer = JSON.readTree(post("/api/generate", generate("Call " + i + "?")));
      assertThat(answer.path("done").asBoolean()).as("answer %s: %s", i, answer).isTrue();
    }
    MetricSamples failedOver = proxyMetrics();
    assertThat(added(before, failedOver, "tinyllm_requests_total")).isEqualTo(calls);
    assertThat(added(before, failedOver, "tinyllm_errors_total")).isZero();
    double toB = added(before, failedOver, "tinyllm_proxy_routing_decisions_total", "backend", "b");
    assertThat(toB).as("calls routed to b while it was still in the fleet").isPositive();
    // each call routed to b moved to a: a served every call
    assertThat(added(before, failedOver, "tinyllm_proxy_backend_failovers_total", "backend", "b"))
        .isEqualTo(toB);
    assertThat(added(before, failedOver, "tinyllm_proxy_routing_decisions_total", "backend", "a"))
        .isEqualTo(calls);
    assertThat(added(before, failedOver, "tinyllm_proxy_backend_errors_total", "backend", "b"))
        .isEqualTo(toB);

    Polling.untilAsserted(
        WITHIN,
        () ->
            assertThat(proxyMetrics().series("tinyllm_proxy_backend_up"))
                .extracting(s -> s.label("backend"), MetricSamples.Sample::value)
                .containsExactlyInAnyOrder(tuple("a", 1.0), tuple("b", 0.0)));
    PrometheusApi api = new PrometheusApi(prometheus.url());
    Polling.untilAsserted(
        WITHIN,
        () -> {
          assertPrometheus(api, "tinyllm_proxy_backend_up{backend=\"b\"}", 0.0);
          assertPrometheus(api, "tinyllm_proxy_backend_up{backend=\"a\"}", 1.0);
          assertPrometheus(api, "sum(tinyllm_proxy_backend_up)", 1.0);
        });

    // out of the fleet: no call tries b any more
    MetricSamples ejected = proxyMetrics();
    for (int i = 0; i < 3; i++) {
      post("/api/generate", generate("After " + i + "?"));
    }
    MetricSamples later = proxyMetrics();
    assertThat(added(ejected, later, "tinyllm_proxy_routing_decisions_total", "backend", "a"))
        .isEqualTo(3);
    assertThat(added(ejected, later, "tinyllm_proxy_routing_decisions_total", "backend", "b"))
        .isZero();
    assertThat(added(ejected, later, "tinyllm_proxy_backend_failovers_total")).isZero();
  }

  @Test
  @Order(3)
  void theFleetAlertsGoPendingOnWhatTheProxyRecorded() throws Exception {
    PrometheusApi api = new PrometheusApi(prometheus.url());
    // through the proxy, "model not found" from every backend in the fleet; twice, the second
    // after Prometheus has stored the first: increase() sees nothing of a series born at 1
    callMissingModel();
    Polling.untilAsserted(
        WITHIN,
        () ->
            assertThat(
                    api.query(
                        "tinyllm_errors_total{model=\"%s\",error_type=\"model_not_found\"}"
                            .formatted(MISSING_MODEL)))
                .isNotEmpty());
    callMissingModel();

    // pending, not firing: their "for" is minutes; the expressions are what is checked here
    Polling.untilAsserted(
        WITHIN,
        () ->
            assertThat(api.alerts())
                .filteredOn(alert -> alert.label("alertname").startsWith("TinyLLMProxy"))
                .extracting(
                    alert -> alert.label("alertname"),
                    alert -> alert.label("job"),
                    alert -> alert.labels().getOrDefault("backend", alert.label("model")),
                    PrometheusApi.Alert::state)
                .containsExactlyInAnyOrder(
                    tuple("TinyLLMProxyBackendDown", JOB, "b", "pending"),
                    tuple("TinyLLMProxyModelUnavailable", JOB, MISSING_MODEL, "pending")));
  }

  @Test
  @Order(4)
  void everyShippedQueryOfTheProxysFamiliesGivesANumber() throws Exception {
    Map<String, String> queries =
        new LinkedHashMap<>(ShippedQueries.read(PromQlExamples.docs(), RATE_INTERVAL));
    queries.values().removeIf(query -> !ShippedQueries.needsAProxy(query));
    assertThat(queries).as("shipped queries of tinyllm_proxy_* families").hasSizeGreaterThan(5);
    PrometheusApi api = new PrometheusApi(prometheus.url());
    Map<String, String> unanswered = new LinkedHashMap<>(queries);

    // asked as a panel asks: over the run, a number at some step
    Polling.untilAsserted(
        WITHIN,
        () -> {
          for (Map.Entry<String, String> query : List.copyOf(unanswered.entrySet())) {
            if (api
                .queryRange(query.getValue(), started, Instant.now(), Duration.ofSeconds(1))
                .stream()
                .anyMatch(series -> series.max().isPresent())) {
              unanswered.remove(query.getKey());
            }
          }
          assertThat(unanswered).as("proxy queries with no number over the run").isEmpty();
        });
  }

  private static void callMissingModel() throws Exception {
    HttpResponse<String> missing =
        Http.postAnyStatus(
            proxy.url() + "/api/generate",
            "{\"model\":\"%s\",\"prompt\":\"Hi\",\"stream\":false}".formatted(MISSING_MODEL));
    assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
  }

  private static String generate(String prompt) {
    return "{\"model\":\"%s\",\"prompt\":\"%s\",\"stream\":false,\"options\":{\"num_predict\":8}}"
        .formatted(model, prompt);
  }

  private static String post(String path, String json) throws Exception {
    return Http.post(proxy.url() + path, json);
  }

  /** The final object of an NDJSON stream. */
  private static JsonNode lastLine(String ndjson) throws Exception {
    String[] lines = ndjson.strip().split("\n");
    assertThat(lines.length).as("chunks of %s", ndjson).isGreaterThan(1);
    return JSON.readTree(lines[lines.length - 1]);
  }

  private static MetricSamples proxyMetrics() throws Exception {
    return MetricSamples.parse(Http.get(proxy.url() + "/metrics"));
  }

  /** What the series of {@code name} with {@code labels} added up to gained between two scrapes. */
  private static double added(
      MetricSamples before, MetricSamples after, String name, String... labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  }

  /** {@code promql} gives one series, of value {@code expected}. */
  private static void assertPrometheus(PrometheusApi api, String promql, double expected)
      throws Exception {
    assertThat(api.query(promql))
        .as(promql)
        .singleElement()
        .satisfies(s -> assertThat(Double.parseDouble(s.value())).as(promql).isEqualTo(expected));
  }
}
