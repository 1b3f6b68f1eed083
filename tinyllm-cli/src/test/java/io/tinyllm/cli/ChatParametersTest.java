package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinyllm.api.llm.GenerationOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatParametersTest {
  private final ChatParameters parameters = new ChatParameters();

  @Test
  void knownParametersBecomeTheRequestOptions() {
    parameters.set("num_predict", List.of("256"));
    parameters.set("temperature", List.of("0.7"));
    parameters.set("top_p", List.of("0.9"));
    parameters.set("top_k", List.of("40"));
    parameters.set("seed", List.of("-42"));
    parameters.set("num_ctx", List.of("4096"));
    parameters.set("stop", List.of("<end>", "###"));
    parameters.set("min_p", List.of("0.05"));
    parameters.set("repeat_penalty", List.of("1.1"));
    parameters.set("repeat_last_n", List.of("-1"));
    parameters.set("num_gpu", List.of("0"));

    assertThat(parameters.options())
        .isEqualTo(
            new GenerationOptions(
                0.7,
                0.9,
                40,
                256,
                List.of("<end>", "###"),
                -42,
                4096,
                Map.of("min_p", 0.05, "repeat_penalty", 1.1, "repeat_last_n", -1, "num_gpu", 0)));
  }

  @Test
  void aLaterValueReplacesAnEarlierOne() {
    parameters.set("num_predict", List.of("5"));
    parameters.set("num_predict", List.of("-1"));

    assertThat(parameters.values()).containsExactly(Map.entry("num_predict", -1));
  }

  @Test
  void badNamesAndValuesAreOneLineNamingThem() {
    assertProblem(
        "temprature",
        List.of("1"),
        "Unknown parameter 'temprature'; /set parameter lists the ones there are");
    assertProblem("num_predict", List.of("abc"), "num_predict takes a whole number, not 'abc'");
    assertProblem("num_predict", List.of("-3"), "num_predict must be at least -2, got -3");
    assertProblem(
        "num_predict", List.of("99999999999"), "num_predict must be at least -2, got 99999999999");
    assertProblem("num_ctx", List.of("0"), "num_ctx must be at least 1, got 0");
    assertProblem("seed", List.of("1", "2"), "seed takes one value, got 2");
    assertProblem("top_p", List.of("1.5"), "top_p must be a number from 0 to 1, got 1.5");
    assertProblem(
        "temperature", List.of("NaN"), "temperature must be a number of at least 0, got NaN");
    assertProblem(
        "temperature",
        List.of("Infinity"),
        "temperature must be a number of at least 0, got Infinity");
    assertProblem("temperature", List.of("hot"), "temperature takes a number, not 'hot'");
    assertProblem("stop", List.of(), "stop takes 1 to 16 sequences, got 0");
    assertProblem(
        "stop", List.of("x".repeat(257)), "a stop sequence may have at most 256 characters");

    assertThat(parameters.values()).isEmpty();
  }

  @Test
  void usageListsEveryParameter() {
    assertThat(ChatParameters.usage()).first().isEqualTo("Available parameters:");
    assertThat(String.join("\n", ChatParameters.usage()))
        .contains("/set parameter num_predict    <int>    Max number of tokens to predict")
        .contains("/set parameter temperature    <float>  Set creativity level")
        .contains("/set parameter stop           <string>");
  }

  private void assertProblem(String name, List<String> args, String message) {
    assertThatThrownBy(() -> parameters.set(name, args))
        .isInstanceOf(UsageException.class)
        .hasMessage(message);
  }
}
