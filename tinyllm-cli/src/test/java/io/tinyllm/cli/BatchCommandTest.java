package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyllm.metrics.testing.PushgatewayProcess;
import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchCommandTest {
  private static final String MODEL = "qwen2.5:0.5b";

  private static OllamaSimulator sim;
  private static String ollama;

  @TempDir Path dir;

  @BeforeAll
  static void startSimulator() throws Exception {
    sim = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build());
    ollama = sim.baseUri().toString();
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  private Path file(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  private static List<JsonNode> lines(String jsonl) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : jsonl.split("\n")) {
      if (!line.isBlank()) {
        nodes.add(CliJson.mapper().readTree(line));
      }
    }
    return nodes;
  }

  /** The gateway's lines for {@code family}, without HELP/TYPE. */
  private static List<String> series(String gatewayText, String family) {
    // only this job: other builds on the machine may push to a gateway on a reused port
    return gatewayText
        .lines()
        .filter(l -> l.startsWith(family + "{") && l.contains("job=\"tinyllm-batch\""))
        .toList();
  }

  /** The families with a sample under the batch's job, as exposed (histograms without suffix). */
  private static Set<String> pushedFamilies(String gatewayText) {
    return gatewayText
        .lines()
        .filter(l -> !l.startsWith("#") && l.contains("job=\"tinyllm-batch\""))
        .map(l -> l.substring(0, l.indexOf('{')))
        .filter(name -> !name.startsWith("push_") && !name.equals("up"))
        .map(name -> name.replaceFirst("_(bucket|sum|count|created)$", ""))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void jsonlResultsComeInInputOrderAndBatchMetricsArePushedUnderAStableJob() throws Exception {
    Path prompts =
        file(
            "prompts.jsonl",
            """
            {"prompt": "What is 2+2?", "id": "a"}

            {"prompt": "Name a river.", "model": "qwen2.5:1.5b", "id": 7}
            {"prompt": "Say hi."}
            """);
    Path output = dir.resolve("results.jsonl");
    try (PushgatewayProcess gateway = PushgatewayProcess.start()) {
      Cli.Result result =
          Cli.run(
              "batch",
              prompts.toString(),
              "--ollama",
              ollama,
              "--workers",
              "2",
              "--output",
              output.toString(),
              "--push-gateway",
              gateway.address());

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out()).isEmpty();
      assertThat(result.err()).matches("batch: 3 prompts, 3 succeeded, 0 failed in \\S+ m?s\n");
      assertThat(result.err()).doesNotContain("\r");
      List<JsonNode> results = lines(Files.readString(output));
      assertThat(results).hasSize(3);
      assertThat(results.get(0).get("index").asInt()).isZero();
      assertThat(results.get(0).get("line").asInt()).isEqualTo(1);
      assertThat(results.get(0).get("id").asText()).isEqualTo("a");
      assertThat(results.get(0).get("graph").asText()).isEqualTo("qa");
      assertThat(results.get(1).get("line").asInt()).isEqualTo(3);
      assertThat(results.get(1).get("id").asText()).isEqualTo("7");
      assertThat(results.get(1).get("model").asText()).isEqualTo("qwen2.5:1.5b");
      assertThat(results.get(1).get("graph").isNull()).isTrue();
      assertThat(results.get(2).get("id").isNull()).isTrue();
      for (JsonNode line : results) {
        assertThat(line.get("answer").asText()).isNotBlank();
        assertThat(line.get("error").isNull()).isTrue();
        assertThat(line.get("output_tokens").asLong()).isPositive();
        assertThat(line.get("latency_seconds").asDouble()).isPositive();
      }

      String pushed = gateway.metricsText();
      assertThat(series(pushed, "tinyllm_batch_prompts_total"))
          .containsExactly(
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"error\"} 0",
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"success\"} 3");
      assertThat(series(pushed, "tinyllm_batch_duration_seconds"))
          .singleElement()
          .asString()
          .startsWith("tinyllm_batch_duration_seconds{instance=\"\",job=\"tinyllm-batch\"} ");
      String firstSuccess = lastSuccess(pushed);
      // the job's results, never the state of the process that ran it
      assertThat(pushedFamilies(pushed))
          .containsAll(
              List.of(
                  "tinyllm_batch_prompts_total",
                  "tinyllm_batch_duration_seconds",
                  "tinyllm_batch_last_success_timestamp_seconds",
                  "tinyllm_requests_total",
                  "tinyllm_request_latency_seconds",
                  "tinyllm_tokens_input_total",
                  "tinyllm_tokens_output_total",
                  "tinyllm_graph_executions_total"))
          .allSatisfy(
              family ->
                  assertThat(MetricsOptions.JOB_FAMILIES)
                      .as("pushed family %s is one of the job's", family)
                      .anyMatch(
                          allowed ->
                              allowed.endsWith("*")
                                  ? family.startsWith(allowed.substring(0, allowed.length() - 1))
                                  : family.equals(allowed)));
      assertThat(pushedFamilies(pushed))
          .doesNotContain(
              "tinyllm_system_info",
              "tinyllm_ollama_model_vram_bytes",
              "tinyllm_ollama_models_loaded",
              "tinyllm_active_requests",
              "process_cpu_seconds_total");
      assertThat(series(pushed, "tinyllm_requests_total"))
          .contains(
              "tinyllm_requests_total{graph=\"qa\",instance=\"\",job=\"tinyllm-batch\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 2",
              "tinyllm_requests_total{graph=\"default\",instance=\"\",job=\"tinyllm-batch\",model=\"qwen2.5:1.5b\",request_type=\"generate\"} 1");

      // a second run replaces the first one's figures under the same job
      Path two = file("two.txt", "First prompt\nSecond prompt\n");
      Cli.Result second =
          Cli.run(
              "batch",
              two.toString(),
              "--ollama",
              ollama,
              "--model",
              MODEL,
              "--push-gateway",
              gateway.address());

      assertThat(second.exitCode()).as(second.err()).isZero();
      assertThat(lines(second.out())).hasSize(2);
      String again = gateway.metricsText();
      assertThat(series(again, "tinyllm_batch_prompts_total"))
          .containsExactly(
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"error\"} 0",
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"success\"} 2");
      assertThat(series(again, "tinyllm_requests_total"))
          .containsExactly(
              "tinyllm_requests_total{graph=\"default\",instance=\"\",job=\"tinyllm-batch\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 2");
      assertThat(Double.parseDouble(lastSuccess(again)))
          .isGreaterThanOrEqualTo(Double.parseDouble(firstSuccess));
      // one group under the job: no per-run grouping key
      assertThat(again.lines().filter(l -> l.startsWith("push_time_seconds{")))
          .filteredOn(l -> l.contains("job=\"tinyllm-batch\""))
          .containsExactly(
              again
                  .lines()
                  .filter(
                      l -> l.startsWith("push_time_seconds{instance=\"\",job=\"tinyllm-batch\"} "))
                  .findFirst()
                  .orElseThrow());
    }
  }

  private static String lastSuccess(String gatewayText) {
    Matcher m =
        Pattern.compile(
                "(?m)^tinyllm_batch_last_success_timestamp_seconds\\{instance=\"\",job=\"tinyllm-batch\"\\} (\\S+)$")
            .matcher(gatewayText);
    assertThat(m.find()).as(gatewayText).isTrue();
    return m.group(1);
  }

  @Test
  void aFailedPromptIsReportedAndKeepsTheLastSuccessTimeOnTheGateway() throws Exception {
    try (PushgatewayProcess gateway = PushgatewayProcess.start()) {
      Path good = file("good.txt", "Hello\n");
      assertThat(
              Cli.run(
                      "batch",
                      good.toString(),
                      "--ollama",
                      ollama,
                      "--model",
                      MODEL,
                      "--push-gateway",
                      gateway.address())
                  .exitCode())
          .isZero();
      String success = lastSuccess(gateway.metricsText());

      Path mixed =
          file(
              "mixed.jsonl",
              "{\"prompt\": \"Hello\", \"model\": \"qwen2.5:0.5b\"}\n"
                  + "{\"prompt\": \"Hello\", \"model\": \"nope:1b\", \"id\": \"x\"}\n");
      Cli.Result result =
          Cli.run(
              "batch", mixed.toString(), "--ollama", ollama, "--push-gateway", gateway.address());

      assertThat(result.exitCode()).isEqualTo(1);
      List<JsonNode> results = lines(result.out());
      assertThat(results.get(0).get("error").isNull()).isTrue();
      assertThat(results.get(1).get("answer").isNull()).isTrue();
      assertThat(results.get(1).get("error").asText())
          .isEqualTo("model 'nope:1b' not found; pull it with: tinyllm models pull nope:1b");
      assertThat(result.err())
          .startsWith("tinyllm: batch: 2 prompts, 1 succeeded, 1 failed (model_not_found 1) in ")
          .endsWith("(see \"error\" in the results)\n");
      String pushed = gateway.metricsText();
      assertThat(series(pushed, "tinyllm_batch_prompts_total"))
          .containsExactly(
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"error\"} 1",
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"success\"} 1");
      assertThat(lastSuccess(pushed)).isEqualTo(success);
    }
  }

  @Test
  void rowsAndTheSummaryNameTheRootCauseBehindAnOpenBreaker() throws Exception {
    String down;
    try (OllamaSimulator gone =
        OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build())) {
      down = gone.baseUri().toString();
    }
    Path prompts = file("eight.txt", "a secret prompt\n".repeat(8));

    Cli.Result result =
        Cli.run(
            "batch",
            prompts.toString(),
            "--ollama",
            down,
            "--model",
            MODEL,
            "--workers",
            "1",
            "--outage-wait",
            "0s");

    assertThat(result.exitCode()).isEqualTo(1);
    List<JsonNode> rows = lines(result.out());
    assertThat(rows).hasSize(8);
    // the breaker opened after five refused connections; the rows after it still say why
    JsonNode last = rows.get(7);
    assertThat(last.get("error").asText())
        .contains("circuit breaker for model 'qwen2.5:0.5b' is open after 5 consecutive failures")
        .contains("; last: connection: ")
        .doesNotContain("secret");
    assertThat(result.err())
        .startsWith("tinyllm: batch: 8 prompts, 0 succeeded, 8 failed (connection 8) in ");
  }

  @Test
  void badLinesAreAllNamedAndNothingRuns() throws Exception {
    Path prompts =
        file(
            "prompts.jsonl",
            """
            {"prompt": "fine"}
            {"prompt": "broken"
            ["not", "an", "object"]
            {"model": "qwen2.5:0.5b"}
            {"prompt": 42, "id": true}
            """);
    long before = sim.stats().requests(Endpoint.GENERATE);

    Cli.Result result = Cli.run("batch", prompts.toString(), "--ollama", ollama);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines().toList())
        .hasSize(6)
        .first()
        .asString()
        .startsWith(prompts + ":2: invalid JSON: ");
    assertThat(result.err())
        .contains(prompts + ":3: expected a JSON object such as {\"prompt\": \"...\"}\n")
        .contains(prompts + ":4: \"prompt\" is missing\n")
        .contains(prompts + ":5: \"prompt\" must be a non-empty string\n")
        .contains(prompts + ":5: \"id\" must be a string or an integer\n")
        .endsWith("tinyllm: " + prompts + ": 5 invalid lines; nothing was run\n");
    assertThat(sim.stats().requests(Endpoint.GENERATE)).isEqualTo(before);
  }

  @Test
  void aLineWithTwoObjectsTrailingTextOrADuplicateKeyIsInvalidAndNothingRuns() throws Exception {
    Path prompts =
        file(
            "hostile.jsonl",
            """
            {"prompt":"first"}{"prompt":"second"}
            {"prompt": "fine"} garbage
            {"prompt": "one", "prompt": "two"}
            {"prompt": "ok", "id": "a", "id": "b"}
            {"prompt": "fine"}
            """);
    long before = sim.stats().requests(Endpoint.GENERATE);

    Cli.Result result = Cli.run("batch", prompts.toString(), "--ollama", ollama);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines().toList())
        .containsExactly(
            prompts + ":1: invalid JSON: more than one value on the line (one object per line)",
            prompts
                + ":2: invalid JSON: Unrecognized token 'garbage': was expecting (JSON String,"
                + " Number, Array, Object or token 'null', 'true' or 'false')",
            prompts + ":3: invalid JSON: Duplicate field 'prompt'",
            prompts + ":4: invalid JSON: Duplicate field 'id'",
            "tinyllm: " + prompts + ": 4 invalid lines; nothing was run");
    assertThat(sim.stats().requests(Endpoint.GENERATE)).isEqualTo(before);
  }

  @Test
  void anInterruptedBatchWritesThePromptsInFlightAsCancelled() throws Exception {
    try (OllamaSimulator held =
            OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build());
        PushgatewayProcess gateway = PushgatewayProcess.start()) {
      // every generation is held until the simulator stops: the batch can only be interrupted
      held.faults().scope(Endpoint.GENERATE).hang(Duration.ofMinutes(5));
      Path prompts = file("four.txt", "one\ntwo\nthree\nfour\n");
      StopSignal signal = StopSignal.install();
      Cli cli = new Cli();
      cli.<BatchCommand>command("batch").stopSignals = () -> signal;

      Cli.Running running =
          cli.start(
              "batch",
              prompts.toString(),
              "--ollama",
              held.baseUri().toString(),
              "--model",
              MODEL,
              "--workers",
              "1",
              "--max-queue-size",
              "2",
              "--push-gateway",
              gateway.address());
      assertThat(held.stats().awaitRequests(Endpoint.GENERATE, 1, Duration.ofSeconds(20))).isTrue();
      assertThat(held.stats().requests(Endpoint.GENERATE)).isEqualTo(1);
      signal.requestStop(); // what Ctrl-C's shutdown hook does
      Cli.Result result = running.result(Duration.ofSeconds(60));

      assertThat(result.exitCode()).isEqualTo(1);
      List<JsonNode> rows = lines(result.out());
      // one running, one waiting in the queue; the other two never handed over
      assertThat(rows).hasSize(2);
      for (JsonNode row : rows) {
        assertThat(row.get("outcome").asText()).isEqualTo("cancelled");
        assertThat(row.get("error").asText()).isEqualTo("cancelled: the batch was interrupted");
        assertThat(row.get("answer").isNull()).isTrue();
      }
      assertThat(result.err())
          .matches(
              "tinyllm: interrupted: batch: 4 prompts, 0 succeeded, 0 failed, 2 cancelled in"
                  + " [^,]+, 2 not run\n");
      String pushed = gateway.metricsText();
      assertThat(series(pushed, "tinyllm_batch_prompts_total"))
          .containsExactly(
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"cancelled\"} 2",
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"error\"} 0",
              "tinyllm_batch_prompts_total{instance=\"\",job=\"tinyllm-batch\",outcome=\"success\"} 0");
      assertThat(pushed).doesNotContain("tinyllm_batch_last_success_timestamp_seconds{");
    }
  }

  @Test
  void dashReadsPromptsFromStdinAndWritesRowsToStdoutWithNumericIdsKept() throws Exception {
    Cli cli = new Cli();
    cli.<BatchCommand>command("batch").input =
        new java.io.ByteArrayInputStream(
            "{\"prompt\": \"Say hi.\", \"id\": 1}\n{\"prompt\": \"Say bye.\", \"id\": \"x\"}\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));

    Cli.Result result = cli.execute("batch", "-", "-o", "-", "--ollama", ollama, "--model", MODEL);

    assertThat(result.exitCode()).as(result.err()).isZero();
    List<JsonNode> rows = lines(result.out());
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).get("id").isIntegralNumber()).isTrue();
    assertThat(rows.get(0).get("id").asInt()).isEqualTo(1);
    assertThat(rows.get(1).get("id").isTextual()).isTrue();
    assertThat(rows)
        .allSatisfy(row -> assertThat(row.get("outcome").asText()).isEqualTo("success"));
  }

  @Test
  void aLinesSystemOptionsAndModelAreSentWithItsCall() throws Exception {
    Path prompts =
        file(
            "per-line.jsonl",
            """
            {"prompt": "Tell me about rivers.", "id": 1}
            {"prompt": "Tell me about rivers.", "id": 2, "system": "You are a pirate who speaks in very long and winding sentences."}
            {"prompt": "Tell me about rivers.", "id": 3, "options": {"num_predict": 2, "temperature": 0}}
            {"prompt": "Tell me about rivers.", "id": 4, "model": "qwen2.5:1.5b"}
            """);

    Cli.Result result = Cli.run("batch", prompts.toString(), "--ollama", ollama, "--model", MODEL);

    assertThat(result.exitCode()).as(result.err()).isZero();
    List<JsonNode> rows = lines(result.out());
    assertThat(rows).hasSize(4);
    // the system message replaces the model's own in the prompt the model reads, and so changes
    // the (simulated) answer
    assertThat(rows.get(1).get("prompt_tokens").asLong())
        .isNotEqualTo(rows.get(0).get("prompt_tokens").asLong());
    assertThat(rows.get(1).get("answer").asText()).isNotEqualTo(rows.get(0).get("answer").asText());
    assertThat(rows.get(0).get("output_tokens").asLong()).isGreaterThan(2);
    assertThat(rows.get(2).get("output_tokens").asLong()).isEqualTo(2);
    assertThat(rows.get(3).get("model").asText()).isEqualTo("qwen2.5:1.5b");
    assertThat(rows.get(0).get("model").asText()).isEqualTo(MODEL);
  }

  @Test
  void fieldsThatWouldBeIgnoredAreRejectedWithTheirLineAndNothingRuns() throws Exception {
    Path prompts =
        file(
            "ignored.jsonl",
            """
            {"prompt": "a", "temperature": 0}
            {"prompt": "b", "system": "Be brief."}
            {"prompt": "c", "options": {"num_predict": 5}}
            {"prompt": "d", "model": "qwen2.5:0.5b", "options": {"temprature": 0}}
            {"prompt": "e", "model": "qwen2.5:0.5b", "options": {"num_predict": "many"}}
            {"prompt": "f", "model": "qwen2.5:0.5b", "options": [1]}
            {"prompt": "g", "id": 1.5}
            """);
    long before = sim.stats().requests(Endpoint.GENERATE);

    Cli.Result result = Cli.run("batch", prompts.toString(), "--ollama", ollama);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines().toList())
        .containsExactly(
            prompts
                + ":1: unknown field \"temperature\": expected prompt, id, model, system or options",
            prompts + ":4: \"options\": unknown option \"temprature\" for Ollama",
            prompts + ":5: \"options\": \"num_predict\" must be an integer",
            prompts + ":6: \"options\" must be an object such as {\"temperature\": 0}",
            prompts + ":7: \"id\" must be a string or an integer",
            prompts
                + ":2: \"system\" needs a model (the line's \"model\" or --model); a graph sets"
                + " its own",
            prompts
                + ":3: \"options\" needs a model (the line's \"model\" or --model); a graph sets"
                + " its own",
            "tinyllm: " + prompts + ": 7 invalid lines; nothing was run");
    assertThat(sim.stats().requests(Endpoint.GENERATE)).isEqualTo(before);
  }

  @Test
  void aHundredInvalidLinesAreShownAndTheRestCounted() throws Exception {
    Path prompts = file("many.jsonl", "{\"prompt\": 1}\n".repeat(250));

    Cli.Result result = Cli.run("batch", prompts.toString(), "--ollama", ollama);

    assertThat(result.exitCode()).isEqualTo(1);
    List<String> lines = result.err().lines().toList();
    assertThat(lines).hasSize(102);
    assertThat(lines.get(99)).isEqualTo(prompts + ":100: \"prompt\" must be a non-empty string");
    assertThat(lines.get(100)).isEqualTo("... and 150 more");
    assertThat(lines.get(101))
        .isEqualTo("tinyllm: " + prompts + ": 250 invalid lines; nothing was run");
  }

  /** A row as an earlier run wrote it. */
  private static String row(int line, String id, String outcome) {
    return "{\"index\":"
        + (line - 1)
        + ",\"line\":"
        + line
        + ",\"id\":"
        + id
        + ",\"prompt\":\"p\",\"outcome\":\""
        + outcome
        + "\"}\n";
  }

  @Test
  void resumeRunsOnlyWhatHasNoSuccessfulRowAndAppends() throws Exception {
    Path prompts =
        file(
            "five.jsonl",
            """
            {"prompt": "one", "id": "a"}
            {"prompt": "two", "id": 2}
            {"prompt": "three"}
            {"prompt": "four"}
            {"prompt": "five", "id": "e"}
            """);
    // a: succeeded; 2: failed; line 3: cancelled; line 4: succeeded, then the run died writing e
    String earlier =
        row(1, "\"a\"", "success")
            + row(2, "2", "error")
            + row(3, "null", "cancelled")
            + row(4, "null", "success");
    Path output = file("results.jsonl", earlier + "{\"index\":4,\"line\":5,\"id\":\"e\",\"pro");
    long before = sim.stats().requests(Endpoint.GENERATE);

    Cli.Result result =
        Cli.run(
            "batch",
            prompts.toString(),
            "-o",
            output.toString(),
            "--resume",
            "--ollama",
            ollama,
            "--model",
            MODEL);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(sim.stats().requests(Endpoint.GENERATE) - before).isEqualTo(3);
    assertThat(result.err())
        .matches(
            "batch: 3 prompts, 3 succeeded, 0 failed in \\S+ m?s; 2 skipped \\(already succeeded in "
                + Pattern.quote(output.toString())
                + "\\)\n");
    String text = Files.readString(output);
    // the torn row is cut; the new rows follow the whole ones
    assertThat(text).startsWith(earlier).doesNotContain("\"pro\n");
    List<JsonNode> added = lines(text.substring(earlier.length()));
    assertThat(added).extracting(r -> r.get("line").asInt()).containsExactly(2, 3, 5);
    assertThat(added).allSatisfy(r -> assertThat(r.get("outcome").asText()).isEqualTo("success"));

    // everything has succeeded now: nothing to run
    Cli.Result again =
        Cli.run(
            "batch",
            prompts.toString(),
            "-o",
            output.toString(),
            "--resume",
            "--ollama",
            ollama,
            "--model",
            MODEL);
    assertThat(again.exitCode()).isZero();
    assertThat(again.err())
        .isEqualTo(
            "batch: nothing to run: all 5 prompts of "
                + prompts
                + " already succeeded in "
                + output
                + "\n");
  }

  @Test
  void retryFailedRunsOnlyThePromptsWhoseLastRowFailed() throws Exception {
    Path prompts = file("three.txt", "one\ntwo\nthree\n");
    Path output =
        file(
            "results.jsonl",
            row(1, "null", "error")
                + row(2, "null", "error")
                + row(3, "null", "cancelled")
                + row(2, "null", "success"));
    long before = sim.stats().requests(Endpoint.GENERATE);

    Cli.Result result =
        Cli.run(
            "batch",
            prompts.toString(),
            "-o",
            output.toString(),
            "--retry-failed",
            "--ollama",
            ollama,
            "--model",
            MODEL);

    assertThat(result.exitCode()).as(result.err()).isZero();
    // line 1 failed; line 2's last row succeeded; line 3 was cancelled, not failed (--resume runs
    // it)
    assertThat(sim.stats().requests(Endpoint.GENERATE) - before).isEqualTo(1);
    List<JsonNode> rows = lines(Files.readString(output));
    assertThat(rows).hasSize(5);
    assertThat(rows.get(4).get("line").asInt()).isEqualTo(1);
    assertThat(rows.get(4).get("outcome").asText()).isEqualTo("success");
  }

  @Test
  void resumeAndRetryNeedAnOutputFileThatIsTheirs() throws Exception {
    Path prompts = file("p.txt", "hi\n");
    Cli.Result noFile = Cli.run("batch", prompts.toString(), "--resume");
    assertThat(noFile.exitCode()).isEqualTo(2);
    assertThat(noFile.err())
        .startsWith(
            "tinyllm: --resume needs -o FILE: the results of the earlier run are read from it");
    assertThat(
            Cli.run("batch", prompts.toString(), "-o", "x", "--resume", "--retry-failed")
                .exitCode())
        .isEqualTo(2);

    Path notOurs = file("notes.txt", "shopping list\n");
    Cli.Result wrong =
        Cli.run(
            "batch", prompts.toString(), "-o", notOurs.toString(), "--resume", "--ollama", ollama);
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.err())
        .isEqualTo(
            "tinyllm: "
                + notOurs
                + ":1: not a result row of tinyllm batch; is it the right file?\n");
    assertThat(Files.readString(notOurs)).isEqualTo("shopping list\n");

    Cli.Result missing =
        Cli.run(
            "batch",
            prompts.toString(),
            "-o",
            dir.resolve("none.jsonl").toString(),
            "--retry-failed",
            "--ollama",
            ollama);
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("no earlier results in");
  }

  @Test
  void answersServedFromTheCacheSaySo() throws Exception {
    // one at a time: the second of each pair finds the first's answer in the cache
    Path prompts =
        file(
            "twice.jsonl",
            """
            {"prompt": "Cache me, directly.", "model": "qwen2.5:0.5b", "options": {"temperature": 0}}
            {"prompt": "Cache me, directly.", "model": "qwen2.5:0.5b", "options": {"temperature": 0}}
            {"prompt": "Cache me through the graph."}
            {"prompt": "Cache me through the graph."}
            """);

    Cli.Result result =
        Cli.run("batch", prompts.toString(), "--ollama", ollama, "--workers", "1", "--cache");

    assertThat(result.exitCode()).as(result.err()).isZero();
    List<JsonNode> rows = lines(result.out());
    assertThat(rows)
        .extracting(r -> r.get("cached").asBoolean())
        .containsExactly(false, true, false, true);
    assertThat(rows.get(1).get("answer")).isEqualTo(rows.get(0).get("answer"));
    assertThat(rows.get(3).get("graph").asText()).isEqualTo("qa");
  }

  @Test
  void offATerminalProgressIsAPlainLineNowAndThen() throws Exception {
    Path prompts = file("three.txt", "one\ntwo\nthree\n");
    Cli cli = new Cli();
    BatchCommand batch = cli.command("batch");
    batch.progressStyle = ProgressStyle.PLAIN;
    batch.plainEvery = Duration.ZERO; // every prompt, instead of every 30 s

    Cli.Result result =
        cli.execute(
            "batch", prompts.toString(), "--ollama", ollama, "--model", MODEL, "--workers", "1");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).doesNotContain("\r").doesNotContain("\033");
    assertThat(result.err().lines().toList())
        .hasSize(3)
        .satisfies(
            lines -> {
              assertThat(lines.get(0)).matches("batch: 1/3 \\(33%\\), [0-9.]+/s, ETA \\S+");
              assertThat(lines.get(1)).matches("batch: 2/3 \\(66%\\), [0-9.]+/s, ETA \\S+");
              assertThat(lines.get(2)).startsWith("batch: 3 prompts, 3 succeeded, 0 failed in ");
            });
  }

  @Test
  void theSummaryPrintsBeforeTheMetricsLinger() throws Exception {
    Path prompts = file("one.txt", "hi\n");
    StopSignal signal = StopSignal.install();
    Cli cli = new Cli();
    cli.<BatchCommand>command("batch").stopSignals = () -> signal;

    Cli.Running running =
        cli.start(
            "batch",
            prompts.toString(),
            "--ollama",
            ollama,
            "--model",
            MODEL,
            "--metrics-port",
            "0",
            "--metrics-linger",
            "10m");
    String err = cli.awaitErr(e -> e.contains("batch: 1 prompts"), Duration.ofSeconds(30));
    assertThat(err).contains("batch: 1 prompts, 1 succeeded, 0 failed in ");
    assertThat(running.future().isDone()).as("still lingering").isFalse();
    signal.requestStop(); // what Ctrl-C does
    assertThat(running.result(Duration.ofSeconds(30)).exitCode()).isZero();
  }

  @Test
  void aMissingFileOrAnEmptyOneIsAnError() throws Exception {
    Cli.Result missing = Cli.run("batch", dir.resolve("nope.txt").toString(), "--ollama", ollama);
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err())
        .isEqualTo("tinyllm: Cannot read prompts: no such file " + dir.resolve("nope.txt") + "\n");

    Path nowhere = dir.resolve("no-such-dir").resolve("results.jsonl");
    Cli.Result unwritable =
        Cli.run(
            "batch",
            file("p.txt", "hi\n").toString(),
            "-o",
            nowhere.toString(),
            "--ollama",
            ollama,
            "--model",
            MODEL);
    assertThat(unwritable.exitCode()).isEqualTo(1);
    assertThat(unwritable.err())
        .isEqualTo(
            "tinyllm: Cannot write results to "
                + nowhere
                + ": no such directory "
                + nowhere.getParent()
                + "\n");

    Path empty = file("empty.txt", "\n\n");
    Cli.Result none = Cli.run("batch", empty.toString(), "--ollama", ollama);
    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.err()).startsWith(empty + ": no prompts");
  }

  @Test
  void usageErrorsExitWithTwo() throws Exception {
    Path prompts = file("p.txt", "hi\n");
    assertThat(Cli.run("batch", prompts.toString(), "--format", "csv").exitCode()).isEqualTo(2);
    assertThat(Cli.run("batch", prompts.toString(), "--workers", "0").exitCode()).isEqualTo(2);
    assertThat(Cli.run("batch", prompts.toString(), "--push-job", "x").exitCode()).isEqualTo(2);
    assertThat(Cli.run("batch").exitCode()).isEqualTo(2);
  }
}
