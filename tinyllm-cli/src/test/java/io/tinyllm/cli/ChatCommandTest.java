package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChatCommandTest {
  private static OllamaSimulator sim;
  private static String ollama;

  @BeforeAll
  static void startSimulator() throws Exception {
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder()
                .timeScale(0.01)
                .cannedAnswer("Hello", "Hi there!")
                .cannedAnswer("Bye", "Goodbye.")
                .build());
    ollama = sim.baseUri().toString();
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  @Test
  void pipedMessagesGetStreamedAnswersAndTheHistoryIsKept() {
    Cli.Result result =
        Cli.chat(
            "Hello\n\n/history\nBye\n/clear\n/history\n/exit\nnever read\n",
            "--ollama",
            ollama,
            "--system",
            "Be brief.");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "Hi there!\n"
                + "system: Be brief.\n"
                + "user: Hello\n"
                + "assistant: Hi there!\n"
                + "Goodbye.\n"
                + "system: Be brief.\n");
    assertThat(result.err()).isEqualTo("Cleared session context\n");
  }

  @Test
  void endOfInputEndsTheChatAndUnknownCommandsAreNamed() {
    Cli.Result result = Cli.chat("/frobnicate\nHello\n", "--ollama", ollama);

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("Hi there!\n");
    assertThat(result.err()).isEqualTo("Unknown command /frobnicate; /? lists them\n");
  }

  @Test
  void aMissingModelEndsTheChatWithThePullHint() {
    Cli.Result result = Cli.chat("Hello\nHello again\n", "--ollama", ollama, "--model", "nope:1b");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .endsWith(
            "tinyllm: model 'nope:1b' not found; pull it with: tinyllm models pull nope:1b\n");
  }
}
