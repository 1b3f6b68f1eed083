package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.executor.NodeDefinition;
import io.tinyllm.metrics.testing.PushgatewayProcess;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.sim.Gate;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
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

  /** What the simulator answers {@code prompt} on {@code MODEL}, asked directly. */
  private static LlmResponse direct(String prompt) {
    try (OllamaClient client =
        OllamaClient.create(OllamaConfig.defaults().withHost(sim.baseUri()))) {
      return client.generate(GenerateRequest.builder(MODEL, prompt).build());
    }
  }

  @Test
  void aCommaSeparatedOllamaIsAFleetAndAnUnreachableServerIsPassedOver() throws Exception {
    String dead;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      dead = "http://127.0.0.1:" + socket.getLocalPort();
    }
    long before = sim.stats().requestsForModel(MODEL);

    Cli.Result result =
        Cli.run("run", "--ollama", dead + "," + ollama, "--model", MODEL, "--json", "Hi there");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(CliJson.mapper().readTree(result.out()).get("answer").asText()).isNotBlank();
    assertThat(sim.stats().requestsForModel(MODEL)).isEqualTo(before + 1);
  }

  @Test
  void aFleetListThatCannotBeMeantIsAUsageError() {
    Cli.Result result = Cli.run("run", "--ollama", ollama + ",," + ollama, "Hi");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("entry 2 is empty").doesNotContain("Exception");
  }

  @Test
  void jsonThroughTheDefaultGraphHasTheAnswerTokensAndTrace() throws Exception {
    Cli.Result result = Cli.run("run", "--ollama", ollama, "--json", "What is 2+2?");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode json = CliJson.mapper().readTree(result.out());
    assertThat(json.get("answer").asText()).isNotBlank();
    assertThat(json.get("error").isNull()).isTrue();
    assertThat(json.get("graph").asText()).isEqualTo("qa");
    assertThat(json.get("model").asText()).isEqualTo(MODEL);
    assertThat(json.get("prompt_tokens").asLong()).isPositive();
    assertThat(json.get("output_tokens").asLong()).isPositive();
    assertThat(json.get("latency_seconds").asDouble()).isPositive();
    JsonNode trace = json.get("trace");
    assertThat(trace).hasSize(3);
    assertThat(trace.get(0).get("node").asText()).isEqualTo("entry");
    assertThat(trace.get(1).get("node").asText()).isEqualTo("answer");
    assertThat(trace.get(1).get("outcome").asText()).isEqualTo("success");
    assertThat(trace.get(1).get("output_tokens").asLong())
        .isEqualTo(json.get("output_tokens").asLong());
    assertThat(trace.get(2).get("node").asText()).isEqualTo("exit");
  }

  @Test
  void modelJsonMatchesWhatTheSimulatorAnswers() throws Exception {
    LlmResponse expected = direct("Why is the sky blue?");

    Cli.Result result =
        Cli.run("run", "--ollama", ollama, "--model", MODEL, "--json", "Why is the sky blue?");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode json = CliJson.mapper().readTree(result.out());
    assertThat(json.get("answer").asText()).isEqualTo(expected.text());
    assertThat(json.get("model").asText()).isEqualTo(MODEL);
    assertThat(json.get("graph").isNull()).isTrue();
    assertThat(json.get("output_tokens").asLong()).isEqualTo(expected.outputTokens()).isPositive();
    assertThat(json.get("prompt_tokens").asLong()).isEqualTo(expected.promptTokens());
    assertThat(json.get("timings").get("tokens_per_second").asDouble()).isPositive();
  }

  @Test
  void plainModelAnswerAndStreamedAnswerAreTheSame() {
    String answer = direct("Tell me about rivers.").text();

    Cli.Result plain =
        Cli.run("run", "--ollama", ollama, "--model", MODEL, "Tell me about rivers.");
    Cli.Result streamed =
        Cli.run("run", "--ollama", ollama, "--model", MODEL, "--stream", "Tell me about rivers.");

    assertThat(plain.exitCode()).as(plain.err()).isZero();
    assertThat(plain.out()).isEqualTo(answer + "\n");
    assertThat(streamed.exitCode()).as(streamed.err()).isZero();
    assertThat(streamed.out()).isEqualTo(answer + "\n");
  }

  @Test
  void traceShowsEveryNodeOnStderr() {
    Cli.Result result = Cli.run("run", "--ollama", ollama, "--trace", "What is 2+2?");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isNotBlank();
    assertThat(result.err())
        .contains("trace: graph qa, 3 nodes")
        .containsPattern("(?m)^NODE +TYPE +OUTCOME +ATTEMPTS +LATENCY +PROMPT +OUTPUT$")
        .containsPattern("(?m)^entry +entry +success +1 ")
        .containsPattern("(?m)^answer +model +success +1 +\\d+ ms +[1-9]\\d* +[1-9]\\d*$")
        .containsPattern("(?m)^exit +exit +success +1 ");
  }

  @Test
  void traceOfADirectCallShowsOllamasTimings() {
    Cli.Result result =
        Cli.run("run", "--ollama", ollama, "--model", MODEL, "--stream", "--trace", "Hello");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err())
        .startsWith("trace: model " + MODEL + ", ")
        .contains("tokens/s")
        .contains("first token after");
  }

  @Test
  void aGraphFileRunsAndItsMissingModelSaysHowToPullIt() throws Exception {
    Path graph = dir.resolve("missing.yaml");
    Files.writeString(
        graph,
        """
        id: lonely
        nodes:
          - {id: entry, type: entry}
          - {id: ask, type: model, config: {model: "nope:1b"}}
          - {id: exit, type: exit}
        edges:
          - {from_node: entry, to_node: ask}
          - {from_node: ask, to_node: exit}
        entry_points: [entry]
        exit_points: [exit]
        """);

    Cli.Result result = Cli.run("run", "--ollama", ollama, "--graph", graph.toString(), "hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: model 'nope:1b' not found; pull it with: tinyllm models pull nope:1b\n");
  }

  @Test
  void aMissingModelSaysHowToPullIt() {
    Cli.Result result = Cli.run("run", "--ollama", ollama, "--model", "nope:1b", "hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: model 'nope:1b' not found; pull it with: tinyllm models pull nope:1b\n");
  }

  @Test
  void anUnreachableOllamaSaysHowToStartIt() {
    String nowhere = Cli.NOWHERE;

    Cli.Result result = Cli.run("run", "--ollama", nowhere, "--model", MODEL, "hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("tinyllm: Cannot connect to Ollama at http://" + nowhere)
        .contains("ollama serve")
        .contains("--ollama URL")
        .doesNotContain("\tat ");
    assertThat(result.err().lines()).hasSize(1);
  }

  @Test
  void anInvalidGraphNamesFileAndLine() throws Exception {
    Path graph = dir.resolve("bad.yaml");
    Files.writeString(graph, "id: bad\nnodes:\n  - {id: a, type: wizard}\n");

    Cli.Result result = Cli.run("run", "--ollama", ollama, "--graph", graph.toString(), "hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains(graph + ":3: node 'a' field 'type': unknown node type");
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertThat(Cli.run("run", "--graph", "g.yaml", "--model", MODEL, "q").exitCode()).isEqualTo(2);
    Cli.Result stream = Cli.run("run", "--stream", "q");
    assertThat(stream.exitCode()).isEqualTo(2);
    assertThat(stream.err())
        .isEqualTo(
            "tinyllm: --stream needs --model: a graph answers when its exit node is reached\n");
    Cli.Result ttl = Cli.run("run", "--cache-ttl", "soon", "q");
    assertThat(ttl.exitCode()).isEqualTo(2);
    assertThat(ttl.err()).contains("'soon' is not a duration");
    assertThat(Cli.run("run", "--ollama", "http://host:99999", "q").exitCode()).isEqualTo(2);
    assertThat(Cli.run("run", "--cache-backend", "disk", "q").exitCode()).isEqualTo(2);
    assertThat(Cli.run("run", "--metrics-linger", "2s", "q").exitCode()).isEqualTo(2);
    Cli.Result none = withStdin("", "run");
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).isEqualTo("tinyllm: No prompt: give it as arguments or on stdin\n");
  }

  /** Runs {@code args} with {@code stdin} as the command's standard input. */
  private static Cli.Result withStdin(String stdin, String... args) {
    return withStdin(stdin.getBytes(StandardCharsets.UTF_8), args);
  }

  private static Cli.Result withStdin(byte[] stdin, String... args) {
    Cli cli = new Cli();
    RunCommand run = cli.command("run");
    run.input = new ByteArrayInputStream(stdin);
    return cli.execute(args);
  }

  @Test
  void unquotedWordsAreJoinedWithSpaces() {
    String answer = direct("Why is the sky blue?").text();

    Cli.Result result =
        Cli.run("run", "--ollama", ollama, "-m", MODEL, "Why", "is", "the", "sky", "blue?");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo(answer + "\n");
  }

  @Test
  void thePromptComesFromStdinWhenAbsentOrDash() {
    String answer = direct("Tell me about rivers.").text();

    Cli.Result absent =
        withStdin("Tell me about rivers.\n", "run", "--ollama", ollama, "-m", MODEL);
    Cli.Result dash =
        withStdin("Tell me about rivers.\n", "run", "--ollama", ollama, "--model", MODEL, "-");

    assertThat(absent.exitCode()).as(absent.err()).isZero();
    assertThat(absent.out()).isEqualTo(answer + "\n");
    assertThat(dash.exitCode()).as(dash.err()).isZero();
    assertThat(dash.out()).isEqualTo(answer + "\n");
  }

  @Test
  void aStdinPromptOverOneMebibyteIsAUsageError() {
    byte[] big = new byte[RunCommand.MAX_STDIN_PROMPT_BYTES + 1];
    Arrays.fill(big, (byte) 'a');

    Cli.Result result = withStdin(big, "run", "--ollama", ollama, "-m", MODEL, "-");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo("tinyllm: The prompt on stdin is larger than 1048576 bytes (1 MiB)\n");
  }

  @Test
  void theSeedsQuotedFormWithAMetricsPortStillWorks() {
    Cli.Result result = Cli.run("run", "--ollama", ollama, "What is 2+2?", "--metrics-port", "0");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isNotBlank();
  }

  @Test
  void metricsAreServedWhileRunningAndForTheLingerAfter() throws Exception {
    Cli cli = new Cli();
    Cli.Running running =
        cli.start(
            "run",
            "--ollama",
            ollama,
            "--metrics-port",
            "0",
            "--metrics-linger",
            "2s",
            "What is 2+2?");

    String err = cli.awaitErr(e -> e.contains("Serving metrics at "), TIMEOUT);
    Matcher m = Pattern.compile("Serving metrics at (\\S+)").matcher(err);
    assertThat(m.find()).isTrue();
    // the answer is printed once the run, and what it records, is done; the endpoint lingers
    cli.awaitOut(text -> text.contains("\n"), TIMEOUT);
    String scrape = Http.get(URI.create(m.group(1)));

    assertThat(scrape)
        .contains(
            "tinyllm_requests_total{graph=\"qa\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 1.0")
        .contains("tinyllm_graph_executions_total{graph=\"qa\"} 1.0");
    assertThat(scrape).contains("tinyllm_tokens_output_total{graph=\"qa\",model=\"qwen2.5:0.5b\"}");
    Cli.Result result = running.result(TIMEOUT);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).isNotBlank();
  }

  @Test
  void pushesToThePushgatewayUnderTheRunJob() throws Exception {
    try (PushgatewayProcess gateway = PushgatewayProcess.start()) {
      Cli.Result result =
          Cli.run(
              "run",
              "--ollama",
              ollama,
              "--model",
              MODEL,
              "--push-gateway",
              gateway.address(),
              "Hi");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(gateway.metricsText())
          .contains(
              "tinyllm_requests_total{graph=\"default\",instance=\"\",job=\"tinyllm-run\",model=\"qwen2.5:0.5b\",request_type=\"generate\"} 1");
    }
  }

  @Test
  void aFailedPushPrintsTheAnswerThenOneLineAndExitsWithOne() {
    String nowhere = Cli.NOWHERE;

    Cli.Result result =
        Cli.run("run", "--ollama", ollama, "--model", MODEL, "--push-gateway", nowhere, "Hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEqualTo(direct("Hi").text() + "\n");
    assertThat(result.err()).startsWith("tinyllm: Pushgateway push to " + nowhere);
    assertThat(result.err().lines()).hasSize(1);
  }

  @Test
  void numPredictCutsTheAnswerAndStderrSaysItWasCut() throws Exception {
    Cli.Result json =
        Cli.run(
            "run",
            "--ollama",
            ollama,
            "-m",
            MODEL,
            "--num-predict",
            "3",
            "--json",
            "Tell me a story.");
    Cli.Result plain =
        Cli.run("run", "--ollama", ollama, "-m", MODEL, "--num-predict", "3", "Tell me a story.");
    Cli.Result whole = Cli.run("run", "--ollama", ollama, "-m", MODEL, "Tell me a story.");

    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode answer = CliJson.mapper().readTree(json.out());
    assertThat(answer.get("output_tokens").asLong()).isEqualTo(3);
    assertThat(answer.get("timings").get("done_reason").asText()).isEqualTo("length");
    assertThat(plain.exitCode()).as(plain.err()).isZero();
    assertThat(plain.err())
        .isEqualTo(
            "tinyllm: the answer was cut at the token limit (3 tokens); raise it with"
                + " --num-predict\n");
    assertThat(whole.exitCode()).as(whole.err()).isZero();
    assertThat(whole.err()).isEmpty();
  }

  @Test
  void aGraphNodeCutAtItsTokenLimitIsNamedOnStderr() throws Exception {
    String graph =
        "id: short\n"
            + "nodes:\n"
            + "  - {id: entry, type: entry}\n"
            + "  - id: answer\n"
            + "    type: model\n"
            + "    config: {model: "
            + MODEL
            + ", options: {num_predict: NUM}}\n"
            + "  - {id: exit, type: exit}\n"
            + "edges:\n"
            + "  - {from_node: entry, to_node: answer}\n"
            + "  - {from_node: answer, to_node: exit}\n"
            + "entry_points: [entry]\n"
            + "exit_points: [exit]\n";
    Path cut = dir.resolve("cut.yaml");
    Files.writeString(cut, graph.replace("NUM", "3"));
    Path roomy = dir.resolve("roomy.yaml");
    Files.writeString(roomy, graph.replace("NUM", "4096"));

    Cli.Result cutRun =
        Cli.run("run", "--ollama", ollama, "--graph", cut.toString(), "Tell me a story.");
    Cli.Result roomyRun =
        Cli.run("run", "--ollama", ollama, "--graph", roomy.toString(), "Tell me a story.");

    assertThat(cutRun.exitCode()).as(cutRun.err()).isZero();
    assertThat(cutRun.err())
        .isEqualTo(
            "tinyllm: graph short, node 'answer': the answer was cut at the token limit (3"
                + " tokens); raise num_predict in the node's options\n");
    assertThat(roomyRun.exitCode()).as(roomyRun.err()).isZero();
    assertThat(roomyRun.err()).isEmpty();
  }

  @Test
  void aSystemMessageReachesThePrompt() throws Exception {
    // the model's template puts the system message in the prompt: a longer one costs more tokens
    Cli.Result brief =
        Cli.run("run", "--ollama", ollama, "-m", MODEL, "--system", "Be brief.", "--json", "Hi");
    Cli.Result pirate =
        Cli.run(
            "run",
            "--ollama",
            ollama,
            "-m",
            MODEL,
            "--system",
            "You are a pirate who answers every question at great length, with many stories.",
            "--json",
            "Hi");

    assertThat(brief.exitCode()).as(brief.err()).isZero();
    assertThat(pirate.exitCode()).as(pirate.err()).isZero();
    long briefTokens = CliJson.mapper().readTree(brief.out()).get("prompt_tokens").asLong();
    assertThat(CliJson.mapper().readTree(pirate.out()).get("prompt_tokens").asLong())
        .isGreaterThan(briefTokens + 5);
  }

  @Test
  void formatJsonAndASchemaFileMakeTheAnswerJson() throws Exception {
    Path schema = dir.resolve("schema.json");
    Files.writeString(
        schema,
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
            + "\"required\":[\"city\"]}");

    Cli.Result json =
        Cli.run("run", "--ollama", ollama, "-m", MODEL, "--format", "json", "Name a city.");
    Cli.Result schemed =
        Cli.run("run", "--ollama", ollama, "-m", MODEL, "--format", schema.toString(), "A city?");
    Cli.Result missing =
        Cli.run("run", "--ollama", ollama, "-m", MODEL, "--format", "nope.json", "A city?");

    assertThat(json.exitCode()).as(json.err()).isZero();
    assertThat(CliJson.mapper().readTree(json.out()).isContainerNode()).isTrue();
    assertThat(schemed.exitCode()).as(schemed.err()).isZero();
    assertThat(CliJson.mapper().readTree(schemed.out()).get("city").isTextual()).isTrue();
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo("tinyllm: --format: expected 'json' or a JSON schema file; no file nope.json\n");
  }

  @Test
  void thinkReachesTheRequest() {
    // the simulator refuses think on a model without the thinking capability, as Ollama does
    Cli.Result result = Cli.run("run", "--ollama", ollama, "-m", MODEL, "--think", "Hi");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("does not support thinking");
    Cli.Result noThink = Cli.run("run", "--ollama", ollama, "-m", MODEL, "--no-think", "Hi");
    assertThat(noThink.exitCode()).as(noThink.err()).isZero();
    assertThat(noThink.out()).isEqualTo(direct("Hi").text() + "\n");
  }

  @Test
  void keepaliveZeroUnloadsTheModelAfterTheAnswer() throws Exception {
    Cli.Result loaded = Cli.run("run", "--ollama", ollama, "-m", MODEL, "Hi");
    assertThat(loaded.exitCode()).as(loaded.err()).isZero();
    assertThat(sim.isLoaded(MODEL)).isTrue();

    Cli.Result result = Cli.run("run", "--ollama", ollama, "-m", MODEL, "--keepalive", "0", "Hi");

    assertThat(result.exitCode()).as(result.err()).isZero();
    // the simulator gives the runner back (with keep-alive 0, unloading it) before the request
    // leaves its scheduler
    assertThat(sim.stats().awaitActiveRequestsAtMost(0, TIMEOUT))
        .as("the request left the simulator")
        .isTrue();
    assertThat(sim.isLoaded(MODEL)).isFalse();
  }

  @Test
  void timeoutEndsAHeldCall() {
    Gate gate = sim.faults().holdBeforeFirstToken(1);
    try {
      Cli.Result result =
          Cli.run("run", "--ollama", ollama, "-m", MODEL, "--timeout", "500ms", "Hi");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err())
          .startsWith("tinyllm: ")
          .contains("did not answer")
          .contains("within 500 ms");
      assertThat(result.err().lines()).hasSize(1);
    } finally {
      gate.open();
    }
  }

  @Test
  void modelOptionsWithoutAModelAndBadValuesAreUsageErrors() {
    Cli.Result graph = Cli.run("run", "--num-predict", "5", "q");
    assertThat(graph.exitCode()).isEqualTo(2);
    assertThat(graph.err())
        .isEqualTo("tinyllm: --num-predict applies to --model; a graph sets its own options\n");
    assertThat(Cli.run("run", "--system", "be brief", "q").exitCode()).isEqualTo(2);
    Cli.Result zero = Cli.run("run", "-m", MODEL, "--num-predict", "0", "q");
    assertThat(zero.exitCode()).isEqualTo(2);
    assertThat(zero.err()).contains("'0' is out of range");
    Cli.Result soon = Cli.run("run", "-m", MODEL, "--timeout", "soon", "q");
    assertThat(soon.exitCode()).isEqualTo(2);
    assertThat(soon.err()).contains("'soon' is not a duration");
    assertThat(Cli.run("run", "-m", MODEL, "--timeout", "0s", "q").exitCode()).isEqualTo(2);
  }

  @Test
  void helpShowsTheBuiltInGraphsLimitsAsItsFileSetsThem() {
    NodeDefinition answer =
        QueryRunner.loadGraph(null, CliConfig.Key.MODEL.defaultValue).nodes().stream()
            .filter(n -> n.id().equals("answer"))
            .findFirst()
            .orElseThrow();
    Map<?, ?> options = (Map<?, ?>) answer.config().get("options");

    Cli.Result help = Cli.run("run", "--help");

    assertThat(((Number) options.get("num_predict")).intValue()).isGreaterThanOrEqualTo(1024);
    assertThat(help.out().replaceAll("\\s+", " "))
        .contains("asks the configured model")
        .contains("default " + answer.config().get("model") + ")")
        .contains("'" + answer.config().get("system") + "'")
        .contains("temperature " + ((Number) options.get("temperature")).intValue() + ",")
        .contains("num_predict " + options.get("num_predict") + " ")
        .contains("a " + answer.config().get("timeout") + " timeout")
        .contains(answer.config().get("retries") + " retry")
        .contains("tinyllm graph export builtin:qa");
  }
}
