package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
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

    SimulatorConfig custom =
        OllamaSimulatorMain.parse(
            new String[] {"--port", "0", "--addr=localhost", "--time-scale", "0.5"});
    assertThat(custom.port()).isZero();
    assertThat(custom.bindAddress()).isEqualTo("localhost");
    assertThat(custom.timeScale()).isEqualTo(0.5);

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
    assertThatThrownBy(() -> SimulatorConfig.builder().maxParallel(0))
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
