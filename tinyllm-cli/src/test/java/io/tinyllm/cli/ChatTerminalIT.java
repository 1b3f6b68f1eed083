package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.Gate;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tinyllm chat} on a terminal, typed at as a person would, through a pseudo-terminal. */
class ChatTerminalIT {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int COLUMNS = 60;

  @TempDir Path state;

  private OllamaSimulator sim;

  @BeforeEach
  void startSimulator() throws Exception {
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder()
                .timeScale(0.01)
                .maxHold(Duration.ofMinutes(5))
                .cannedAnswer("Hello", "Hi there!")
                .build());
  }

  @AfterEach
  void stopSimulator() {
    sim.close();
  }

  private PtyProcess chat() {
    return chat(Map.of(), MODEL);
  }

  private PtyProcess chat(Map<String, String> env, String model) {
    return PtyProcess.terminal(COLUMNS)
        .env(Map.of("XDG_STATE_HOME", state.toString()))
        .env(env)
        .start("chat", "--ollama", sim.baseUri().toString(), "--model=" + model);
  }

  @Test
  void commandsMultiLineMessagesHistoryAndWordWrap() throws Exception {
    try (PtyProcess chat = chat()) {
      chat.await(">>> ", 1, WAIT);
      chat.type("Hello\r");
      chat.await("Hi there!", 1, WAIT);
      chat.await(">>> ", 2, WAIT);

      chat.type("/set parameter temperature hot\r");
      chat.await("temperature takes a number, not 'hot'", 1, WAIT);
      chat.type("/set system Be brief.\r");
      chat.await("Set system message", 1, WAIT);
      chat.type("/show system\r");
      chat.await("System message:\n  Be brief.", 1, WAIT);

      // a multi-line message is one message; its answer is long enough to wrap
      chat.type("\"\"\"Tell me\r");
      chat.await("... ", 1, WAIT);
      chat.type("a story\"\"\"\r");
      chat.await(">>> ", 6, WAIT);
      chat.type("/history\r");
      chat.await("user: Tell me\na story\nassistant: ", 1, WAIT);
      chat.await(">>> ", 7, WAIT);

      // Up brings back the last line: /history again
      chat.type("\u001bOA\r");
      chat.await("system: Be brief.", 2, WAIT);
      chat.await(">>> ", 8, WAIT);

      chat.type("\u0004");
      assertThat(chat.exitCode(WAIT)).isZero();
      String screen = chat.screen();
      assertThat(screen).endsWith(">>> \n");
      String answer =
          screen.substring(
              screen.indexOf("a story\"\"\"\n") + "a story\"\"\"\n".length(),
              screen.indexOf(">>> /history"));
      assertThat(answer.strip().lines().count()).as(answer).isGreaterThan(1);
      assertThat(answer.lines())
          .allSatisfy(line -> assertThat(line).hasSizeLessThanOrEqualTo(COLUMNS));
    }
    Path history = state.resolve("tinyllm").resolve("chat_history");
    assertThat(Files.readString(history))
        .contains(":Hello\n")
        .contains(":/set system Be brief.\n")
        .contains(":/history\n");
  }

  @Test
  void ctrlCStopsTheAnswerAndTheChatGoesOn() throws Exception {
    Gate gate = sim.faults().holdBeforeFirstToken(1);
    try (PtyProcess chat = chat()) {
      chat.await(">>> ", 1, WAIT);
      chat.type("Hello\r");
      awaitHeld(gate, chat);

      chat.type("\u0003");
      chat.await(">>> ", 2, WAIT);
      gate.open(); // the stopped call ends, freeing the model's only slot
      chat.type("Hello\r");
      chat.await("Hi there!", 1, WAIT);
      chat.await(">>> ", 3, WAIT);
      chat.type("/bye\r");

      assertThat(chat.exitCode(WAIT)).isZero();
      assertThat(PtyProcess.count(chat.screen(), "Hi there!")).isEqualTo(1);
    } finally {
      gate.open();
    }
  }

  @Test
  void ctrlCAtThePromptKeepsTheChat() throws Exception {
    try (PtyProcess chat = chat()) {
      chat.await(">>> ", 1, WAIT);
      chat.type("half a thought\u0003");
      chat.await(">>> ", 2, WAIT);
      chat.type("\u0003");
      chat.await("Use Ctrl + d or /bye to end the chat.", 1, WAIT);
      chat.await(">>> ", 3, WAIT);
      chat.type("\u0004");

      assertThat(chat.exitCode(WAIT)).isZero();
    }
  }

  @Test
  void aDumbTerminalGetsPlainLinesAndCtrlDStillEndsTheLine() throws Exception {
    try (PtyProcess chat = chat(Map.of("TERM", "dumb"), MODEL)) {
      chat.await(">>> ", 1, WAIT);
      chat.type("Hello\r");
      chat.await("Hi there!", 1, WAIT);
      chat.await(">>> ", 2, WAIT);
      chat.type("\u0004");

      assertThat(chat.exitCode(WAIT)).isZero();
      assertThat(chat.screen()).endsWith("Hi there!\n\n>>> \n");
    }
  }

  @Test
  void sigtermEndsTheChatAtThePrompt() throws Exception {
    try (PtyProcess chat = chat()) {
      chat.await(">>> ", 1, WAIT);

      chat.signal("TERM");

      assertThat(chat.exitCode(Duration.ofSeconds(5))).isEqualTo(143);
      assertThat(chat.screen()).endsWith("tinyllm: Interrupted\n");
    }
  }

  @Test
  void aMissingModelIsSaidBeforeThePrompt() throws Exception {
    try (PtyProcess chat = chat(Map.of(), "nope:1b")) {
      assertThat(chat.exitCode(WAIT)).isEqualTo(1);
      assertThat(chat.screen())
          .isEqualTo(
              "tinyllm: model 'nope:1b' not found; pull it with: tinyllm models pull nope:1b\n");
    }
  }

  private static void awaitHeld(Gate gate, PtyProcess chat) throws InterruptedException {
    assertThat(gate.awaitHeld(1, WAIT))
        .as("the message reached Ollama; chat alive: %s, screen: %s", chat.isAlive(), chat.screen())
        .isTrue();
  }
}
