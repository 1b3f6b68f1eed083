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

  @Test
  void setShowAndSaveWorkWithPipedInput() {
    Cli.Result result =
        Cli.chat(
            "/set parameter num_predict 3\n"
                + "/set parameter top_p 2\n"
                + "/set system \"Be terse.\"\n"
                + "Tell me a story.\n"
                + "/show\n"
                + "/save my-story\n"
                + "/save not a name\n"
                + "/save bad!\n",
            "--ollama",
            ollama,
            "-m",
            "qwen2.5:0.5b");

    assertThat(result.exitCode()).as(result.err()).isZero();
    String[] out = result.out().split("\n", 2);
    assertThat(out[0].split(" "))
        .as("an answer of 3 tokens: %s", out[0])
        .hasSizeLessThanOrEqualTo(3);
    assertThat(out[1])
        .contains("Model")
        .containsPattern("name +qwen2.5:0.5b")
        .contains("Session parameters:\n  num_predict 3\n")
        .endsWith("System message:\n  Be terse.\n");
    assertThat(result.err())
        .isEqualTo(
            "Set parameter 'num_predict' to '3'\n"
                + "top_p must be a number from 0 to 1, got 2\n"
                + "Set system message\n"
                + "Created new model 'my-story'\n"
                + "Usage: /save <model>\n"
                + "'bad!' is not a model name: letters, digits and . _ : / - (at most 200)\n");
    // the session became a model on the server (/api/create), with its system message
    assertThat(sim.installedModels()).contains("my-story:latest");
  }

  @Test
  void aMessageLongerThanTheBoundEndsTheChatNamingTheLine() {
    Cli.Result result =
        Cli.chat(
            "Hello\n" + "x".repeat(ChatSession.MAX_MESSAGE_CHARS + 1) + "\nBye\n",
            "--ollama",
            ollama);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEqualTo("Hi there!\n");
    assertThat(result.err())
        .isEqualTo("tinyllm: line 2 of stdin: a message longer than 1048576 characters\n");
  }

  @Test
  void helpListsTheCommands() {
    Cli.Result result = Cli.chat("/?\n/? set\n", "--ollama", ollama);

    assertThat(result.exitCode()).isZero();
    assertThat(result.err())
        .contains("/set            Set the system message, parameters, word wrap")
        .contains("/save <model>   Save the session as a new model")
        .contains("Use \"\"\" to begin a multi-line message")
        .contains("/set parameter <name> <value> Set a model parameter");
  }
}
