package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pure building blocks: tokenizer, durations, names, planning and command line. */
class SimulatorUnitsTest {
  @Test
  void tokenizerIsLosslessAndCountsWordsAndPunctuation() {
    String text = "Hello, world!  It's 2024\n{\"a\": 1}  ";
    List<String> tokens = Tokenizer.tokenize(text);
    assertThat(String.join("", tokens)).isEqualTo(text);
    assertThat(tokens.subList(0, 4)).containsExactly("Hello", ",", " world", "!");
    assertThat(tokens.get(tokens.size() - 1)).isEqualTo("  ");
    assertThat(Tokenizer.count("")).isZero();
    assertThat(Tokenizer.tokenize("supercalifragilistic"))
        .containsExactly("supercalifra", "gilistic");
  }

  @Test
  void statsWaitsEndOnceTheCountIsReachedAndSayFalseWhenTheTimeRanOut() throws Exception {
    SimulatorStats stats = new SimulatorStats();
    assertThat(stats.awaitActiveRequests(1, Duration.ofMillis(1))).isFalse();
    assertThat(stats.awaitInjectedFaults(1, Duration.ofMillis(1))).isFalse();

    Thread requests =
        new Thread(
            () -> {
              stats.enter();
              stats.enter();
              stats.recordFault();
            });
    requests.start();

    // woken by the other thread's counts: without a wake-up each would wait its whole minute
    assertThat(stats.awaitActiveRequests(2, Duration.ofMinutes(1))).isTrue();
    assertThat(stats.awaitInjectedFaults(1, Duration.ofMinutes(1))).isTrue();
    requests.join(Duration.ofMinutes(1).toMillis());
    assertThat(stats.awaitActiveRequests(3, Duration.ofMillis(1))).isFalse();
  }

  @Test
  void statsWaitForRequestsToLeaveEndsAsTheLastOneLeaves() throws Exception {
    SimulatorStats stats = new SimulatorStats();
    assertThat(stats.awaitActiveRequestsAtMost(0, Duration.ZERO)).isTrue();
    stats.enter();
    stats.enter();
    assertThat(stats.awaitActiveRequestsAtMost(1, Duration.ofMillis(1))).isFalse();
    CountDownLatch asleep = new CountDownLatch(1);
    stats.beforeWait(asleep::countDown);
    ExecutorService waiter = Executors.newSingleThreadExecutor();
    try {
      // a day: the wait ends because a leave() woke it, or the test's own bound fails it
      Future<Boolean> idle =
          waiter.submit(() -> stats.awaitActiveRequestsAtMost(0, Duration.ofDays(1)));
      assertThat(asleep.await(10, TimeUnit.SECONDS)).as("the waiter blocked").isTrue();
      stats.leave();
      stats.leave();

      assertThat(idle.get(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      waiter.shutdownNow();
    }
  }

  @Test
  void goDurationsParseLikeGo() {
    assertThat(GoDuration.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GoDuration.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(GoDuration.parse("300ms")).isEqualTo(Duration.ofMillis(300));
    assertThat(GoDuration.parse("0")).isZero();
    assertThat(GoDuration.parse("-1m")).isEqualTo(Duration.ofMinutes(-1));
    assertThatThrownBy(() -> GoDuration.parse("300"))
        .hasMessage("time: missing unit in duration \"300\"");
    assertThatThrownBy(() -> GoDuration.parse("abc")).hasMessage("time: invalid duration \"abc\"");
    assertThatThrownBy(() -> GoDuration.parse("")).hasMessage("time: invalid duration \"\"");
  }

  @Test
  void keepAliveNumbersAreSecondsAndNegativeMeansForever() {
    var nodes = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
    assertThat(GoDuration.keepAlive(nodes.numberNode(30), "GenerateRequest"))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(GoDuration.keepAlive(nodes.numberNode(-1), "GenerateRequest"))
        .isEqualTo(GoDuration.FOREVER);
    assertThat(GoDuration.keepAlive(nodes.textNode("-5m"), "GenerateRequest"))
        .isEqualTo(GoDuration.FOREVER);
    assertThat(GoDuration.keepAlive(null, "GenerateRequest")).isNull();
    assertThatThrownBy(() -> GoDuration.keepAlive(nodes.booleanNode(true), "ChatRequest"))
        .hasMessage(
            "json: cannot unmarshal bool into Go struct field ChatRequest.keep_alive of type"
                + " api.Duration");
  }

  @Test
  void modelNamesDefaultToLatestAndIgnoreCase() {
    assertThat(ModelName.normalize("Nomic-Embed-Text")).isEqualTo("nomic-embed-text:latest");
    assertThat(ModelName.normalize("qwen2.5:0.5b")).isEqualTo("qwen2.5:0.5b");
    assertThat(ModelName.normalize("me/model")).isEqualTo("me/model:latest");
    assertThat(ModelName.fullName("qwen2.5:0.5b"))
        .isEqualTo("registry.ollama.ai/library/qwen2.5:0.5b");
    assertThat(ModelName.fullName("me/model:latest"))
        .isEqualTo("registry.ollama.ai/me/model:latest");
    assertThat(ModelName.isValid("")).isFalse();
    assertThat(ModelName.isValid("bad name")).isFalse();
    assertThat(ModelName.isValid("x:")).isFalse();
  }

  @Test
  void planCutsThinkingAndAnswerTogetherAtNumPredict() {
    SamplingOptions limit = new SamplingOptions(3, List.of(), 4096, null);
    CompletionPlan plan = CompletionPlan.of("I think so", "Yes indeed", limit, 10);
    assertThat(plan.thinking()).containsExactly("I", " think", " so");
    assertThat(plan.content()).isEmpty();
    assertThat(plan.doneReason()).isEqualTo("length");

    SamplingOptions none = new SamplingOptions(0, List.of(), 4, null);
    CompletionPlan whole = CompletionPlan.of("", "Yes indeed", none, 10);
    assertThat(whole.contentText()).isEqualTo("Yes indeed");
    assertThat(whole.doneReason()).isEqualTo("stop");
    assertThat(whole.promptTokens()).isEqualTo(4);
  }

  @Test
  void tokenizerKeepsSpecialTokensAndLineBreaksApart() {
    assertThat(Tokenizer.tokenize("<|im_start|>user\nhi there<|im_end|>\n"))
        .containsExactly("<|im_start|>", "user", "\n", "hi", " there", "<|im_end|>", "\n");
    assertThat(Tokenizer.tokenize("a\n\n  b <|x"))
        .containsExactly("a", "\n\n", "  b", " <", "|", "x");
    assertThat(String.join("", Tokenizer.tokenize("x \r\n y\t"))).isEqualTo("x \r\n y\t");
  }

  @Test
  void runnerOptionsReloadOnAnyLoadTimeOptionButALeftOpenNumGpu() {
    RunnerOptions loaded = RunnerOptions.parse(null, 4096);
    assertThat(loaded).isEqualTo(new RunnerOptions(4096, 512, -1, 0, null, 0));
    var nodes = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(
            loaded.needsReloadFor(RunnerOptions.parse(options(nodes, "{\"num_ctx\":8192}"), 4096)))
        .isTrue();
    assertThat(
            loaded.needsReloadFor(RunnerOptions.parse(options(nodes, "{\"num_batch\":64}"), 4096)))
        .isTrue();
    assertThat(loaded.needsReloadFor(RunnerOptions.parse(options(nodes, "{\"top_k\":3}"), 4096)))
        .isFalse();
    RunnerOptions onCpu = RunnerOptions.parse(options(nodes, "{\"num_gpu\":0}"), 4096);
    assertThat(loaded.needsReloadFor(onCpu)).isTrue();
    assertThat(onCpu.needsReloadFor(loaded)).isFalse(); // -1: the server decides
    assertThat(RunnerOptions.parse(options(nodes, "{\"num_ctx\":1}"), 4096).numCtx()).isEqualTo(4);
    assertThatThrownBy(() -> RunnerOptions.parse(options(nodes, "{\"use_mmap\":1}"), 4096))
        .hasMessage("option \"use_mmap\" must be of type boolean");
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode options(
      com.fasterxml.jackson.databind.ObjectMapper mapper, String json) {
    try {
      return (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void humanNumbersMatchOllama() {
    assertThat(WireFormat.humanNumber(494_032_768L)).isEqualTo("494.03M");
    assertThat(WireFormat.humanNumber(1_543_714_304L)).isEqualTo("1.5B");
    assertThat(WireFormat.humanNumber(8_000_000_000L)).isEqualTo("8B");
  }

  @Test
  void commandLineParsesPortAndAddress() {
    SimulatorConfig defaults = OllamaSimulatorMain.parse(new String[0]);
    assertThat(defaults.port()).isEqualTo(11434);
    assertThat(defaults.bindAddress()).isEqualTo("127.0.0.1");
    // OLLAMA_NUM_PARALLEL and OLLAMA_MAX_QUEUE defaults (envconfig/config.go, v0.13.5)
    assertThat(defaults.numParallel()).isEqualTo(1);
    assertThat(defaults.maxQueue()).isEqualTo(512);

    SimulatorConfig custom =
        OllamaSimulatorMain.parse(
            new String[] {"--port", "0", "--addr=localhost", "--time-scale", "0.5"});
    assertThat(custom.port()).isZero();
    assertThat(custom.bindAddress()).isEqualTo("localhost");
    assertThat(custom.timeScale()).isEqualTo(0.5);
    SimulatorConfig scheduler =
        OllamaSimulatorMain.parse(new String[] {"--num-parallel", "4", "--max-queue=0"});
    assertThat(scheduler.numParallel()).isEqualTo(4);
    assertThat(scheduler.maxQueue()).isZero();

    assertThat(OllamaSimulatorMain.parse(new String[] {"--help"})).isNull();
    assertThatThrownBy(() -> OllamaSimulatorMain.parse(new String[] {"--bogus"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OllamaSimulatorMain.parse(new String[] {"--port"}))
        .hasMessageContaining("needs a value");
    assertThatThrownBy(
            () -> OllamaSimulatorMain.parse(new String[] {"--addr", "no-such-host.invalid"}))
        .hasMessageContaining("unknown address");
    assertThat(OllamaSimulatorMain.parse(new String[] {"--addr", "0.0.0.0"}).bindAddress())
        .isEqualTo("0.0.0.0");
  }

  @Test
  void configRejectsNonsense() {
    assertThatThrownBy(() -> SimulatorConfig.builder().numParallel(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimulatorConfig.builder().maxQueue(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimulatorConfig.builder().timeScale(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SimulatedModel.completion("bad name"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SimulatorConfig.builder().withoutModel("qwen2.5:3b").build().models())
        .extracting(SimulatedModel::name)
        .containsExactly("qwen2.5:0.5b", "qwen2.5:1.5b", "nomic-embed-text:latest");
  }
}
