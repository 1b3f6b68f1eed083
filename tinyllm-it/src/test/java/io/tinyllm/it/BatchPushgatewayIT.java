package io.tinyllm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.it.containers.OllamaContainer;
import io.tinyllm.it.containers.OllamaModels;
import io.tinyllm.it.containers.PushgatewayContainer;
import io.tinyllm.it.containers.TinyLlmContainer;
import io.tinyllm.it.support.Http;
import io.tinyllm.it.support.MetricSamples;
import io.tinyllm.it.support.RequiresDocker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startables;

/**
 * {@code tinyllm batch} in a container, answering its prompts from the Ollama container and pushing
 * its metrics to the Pushgateway container, all three on one network and found by alias; the test
 * reads the gateway's {@code /metrics} through its mapped port.
 */
@RequiresDocker
class BatchPushgatewayIT {
  private static final String JOB = "tinyllm-batch";
  private static final String MISSING_MODEL = "tinyllm-it-missing:1b";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Network network = Network.newNetwork();
  static final OllamaContainer ollama =
      new OllamaContainer().withNetwork(network).withNetworkAliases(OllamaContainer.NETWORK_ALIAS);
  static final PushgatewayContainer pushgateway =
      new PushgatewayContainer().withNetwork(network).withNetworkAliases("pushgateway");

  @BeforeAll
  static void start() {
    Startables.deepStart(ollama, pushgateway).join();
  }

  @AfterAll
  static void stop() {
    // no Ryuk here (its image would come from a registry), so everything is removed by hand
    pushgateway.stop();
    ollama.stop();
    network.close();
  }

  @Test
  void aBatchAnswersEveryPromptAndPushesItsFamiliesUnderItsJob() throws Exception {
    List<String> prompts =
        List.of("What is 2+2?", "Name a river.", "Why is the sky blue?", "Say hello.");
    Instant before = Instant.now();

    Batch batch = runBatch(prompts);

    Instant after = Instant.now();
    assertThat(batch.results()).hasSize(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      JsonNode result = batch.results().get(i);
      assertThat(result.path("index").asInt()).isEqualTo(i);
      assertThat(result.path("prompt").asText()).isEqualTo(prompts.get(i));
      assertThat(result.path("error").isNull()).as("error of %s", result).isTrue();
      assertThat(result.path("answer").asText()).isNotBlank();
    }
    assertThat(batch.stderr()).contains("batch: 4 prompts, 4 succeeded, 0 failed");

    MetricSamples pushed = pushedUnderJob();
    assertThat(pushed.series("tinyllm_batch_prompts_total"))
        .extracting(s -> s.label("outcome"), MetricSamples.Sample::value)
        .containsExactlyInAnyOrder(tuple("success", (double) prompts.size()), tuple("error", 0.0));
    assertThat(pushed.series("tinyllm_batch_duration_seconds"))
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isPositive());
    assertThat(pushed.series("tinyllm_batch_last_success_timestamp_seconds"))
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.value())
                    .isBetween(before.getEpochSecond() - 1.0, after.getEpochSecond() + 1.0));
    // one model call per prompt, through the built-in qa graph
    assertThat(pushed.recorded("tinyllm_requests_total"))
        .extracting(s -> s.label("graph"), s -> s.label("model"), MetricSamples.Sample::value)
        .containsExactly(
            tuple("qa", OllamaModels.label(OllamaModels.QA_GRAPH_MODEL), (double) prompts.size()));
    assertThat(pushed.sum("tinyllm_graph_executions_total")).isEqualTo(prompts.size());
    // the job's results only: no gauge of the process outlives it on the gateway
    assertThat(seriesNames(pushed))
        .noneMatch(
            s ->
                s.startsWith("tinyllm_system_info")
                    || s.startsWith("tinyllm_ollama_")
                    || s.startsWith("tinyllm_active_requests")
                    || s.startsWith("tinyllm_circuit_breaker_")
                    || s.startsWith("tinyllm_queue_")
                    || s.startsWith("tinyllm_label_values"));
    assertOneGroupWithoutGroupingKey();
  }

  @Test
  void aSecondRunReplacesTheFirstRunsSeriesInsteadOfAddingToThem() throws Exception {
    runBatch(List.of("One?", "Two?", "Three?"));
    List<String> firstSeries = seriesNames(pushedUnderJob());

    runBatch(List.of("Four?", "Five?"));

    MetricSamples second = pushedUnderJob();
    assertThat(second.sum("tinyllm_batch_prompts_total", "outcome", "success")).isEqualTo(2);
    assertThat(second.sum("tinyllm_requests_total")).isEqualTo(2);
    assertThat(second.sum("tinyllm_request_latency_seconds_count")).isEqualTo(2);
    // each series once, none new: replaced, not piled up per run. A family only the first run
    // recorded is gone (the model's load time, when that run was the one loading the model).
    assertThat(seriesNames(second)).doesNotHaveDuplicates().isSubsetOf(firstSeries);
    assertThat(seriesNames(second)).filteredOn(s -> s.startsWith("tinyllm_batch_")).hasSize(4);
    assertOneGroupWithoutGroupingKey();
  }

  @Test
  void aFailedRunReplacesItsCountsButKeepsTheLastGoodRunsSuccessTime() throws Exception {
    runBatch(List.of("What is 2+2?"));
    double lastGoodRun = pushedUnderJob().sum("tinyllm_batch_last_success_timestamp_seconds");
    assertThat(lastGoodRun).isPositive();

    Batch failed =
        runBatchEndingWithAnyStatus(
            List.of(
                "{\"prompt\": \"Name a river.\", \"id\": \"good\"}",
                "{\"prompt\": \"Hi\", \"id\": \"bad\", \"model\": \"" + MISSING_MODEL + "\"}"));

    assertThat(failed.exitCode()).as("a prompt failed").isEqualTo(1);
    assertThat(failed.stderr()).contains("batch: 2 prompts, 1 succeeded, 1 failed");
    assertThat(failed.results())
        .extracting(r -> r.path("id").asText(), r -> r.path("error").isNull())
        .containsExactly(tuple("good", true), tuple("bad", false));
    assertThat(failed.results().get(1).path("error").asText()).contains(MISSING_MODEL);
    MetricSamples pushed = pushedUnderJob();
    assertThat(pushed.series("tinyllm_batch_prompts_total"))
        .extracting(s -> s.label("outcome"), MetricSamples.Sample::value)
        .containsExactlyInAnyOrder(tuple("success", 1.0), tuple("error", 1.0));
    assertThat(pushed.recorded("tinyllm_errors_total"))
        .extracting(s -> s.label("error_type"), s -> s.label("model"), MetricSamples.Sample::value)
        .containsExactly(tuple("model_not_found", MISSING_MODEL, 1.0));
    // pushed with POST and without its own success time: the good run's stays
    assertThat(pushed.series("tinyllm_batch_last_success_timestamp_seconds"))
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isEqualTo(lastGoodRun));
    assertOneGroupWithoutGroupingKey();
  }

  /** Runs {@code tinyllm batch} on {@code prompts} to its end; it must exit 0. */
  private static Batch runBatch(List<String> prompts) throws Exception {
    Batch batch = runBatchEndingWithAnyStatus(prompts);
    assertThat(batch.exitCode())
        .as("exit status of the batch; stderr:%n%s", batch.stderr())
        .isZero();
    return batch;
  }

  /** Runs {@code tinyllm batch} on {@code lines} (prompts or JSONL) to its end. */
  private static Batch runBatchEndingWithAnyStatus(List<String> lines) throws Exception {
    try (TinyLlmContainer batch =
        TinyLlmContainer.runningBatch(
                lines,
                "--ollama",
                OllamaContainer.NETWORK_URL,
                "--push-gateway",
                "pushgateway:" + PushgatewayContainer.PORT)
            .withNetwork(network)) {
      batch.start(); // returns once the command has exited
      List<JsonNode> results = new ArrayList<>();
      for (String line : batch.stdout().split("\n")) {
        if (!line.isBlank()) {
          results.add(JSON.readTree(line));
        }
      }
      return new Batch(batch.exitCode(), results, batch.stderr());
    }
  }

  /** The gateway's TinyLLM samples pushed under {@value #JOB}. */
  private static MetricSamples pushedUnderJob() throws Exception {
    String text =
        Http.get(pushgateway.url() + "/metrics")
            .lines()
            .filter(line -> line.startsWith("tinyllm_") && line.contains("job=\"" + JOB + "\""))
            .collect(Collectors.joining("\n"));
    return MetricSamples.parse(text);
  }

  /**
   * The gateway holds one group for the job, keyed by the job alone: no per-run grouping key, so
   * every series exists once.
   */
  private static void assertOneGroupWithoutGroupingKey() throws Exception {
    MetricSamples gateway = MetricSamples.parse(Http.get(pushgateway.url() + "/metrics"));
    assertThat(gateway.series("push_time_seconds", "job", JOB))
        .singleElement()
        .satisfies(s -> assertThat(s.labels()).isEqualTo(Map.of("instance", "", "job", JOB)));
    assertThat(seriesNames(pushedUnderJob())).doesNotHaveDuplicates();
  }

  /** Every series as name and labels, sorted. */
  private static List<String> seriesNames(MetricSamples samples) {
    return samples.all().stream().map(MetricSamples.Sample::series).sorted().toList();
  }

  /** How a batch ended, and what it printed: results on stdout (one JSON object a line), stderr. */
  private record Batch(long exitCode, List<JsonNode> results, String stderr) {}
}
