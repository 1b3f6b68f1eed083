package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.Gate;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) and SIGTERM end {@code run} and {@code chat} while Ollama holds the answer: the
 * call in flight is cancelled, the command says so and exits, well within the shutdown grace (10 s)
 * that a stop used to wait out.
 */
class InterruptIT {
  private static final String MODEL = "qwen2.5:0.5b";

  /** Far less than the 10 s grace, and still generous on a loaded machine. */
  private static final Duration PROMPTLY = Duration.ofSeconds(5);

  private static final Duration START = Duration.ofSeconds(60);

  @TempDir Path dir;

  private OllamaSimulator sim;
  private Gate gate;
  private Process process;
  private AwaitableText out;

  @BeforeEach
  void startSimulator() throws Exception {
    // held answers outlast the test: only the command's own stop can end the call
    sim =
        OllamaSimulator.start(
            SimulatorConfig.builder().timeScale(0.01).maxHold(Duration.ofMinutes(5)).build());
    gate = sim.faults().holdBeforeFirstToken(1);
  }

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    gate.open();
    sim.close();
  }

  @Test
  void sigintEndsARunWaitingForAnAnswer() throws Exception {
    start("run", "--ollama", sim.baseUri().toString(), "-m", MODEL, "What is 2+2?");

    assertStopsOn("INT", 130, "tinyllm: Interrupted\n");
  }

  @Test
  void sigtermEndsAStreamedRun() throws Exception {
    start("run", "--ollama", sim.baseUri().toString(), "-m", MODEL, "--stream", "Hi");

    assertStopsOn("TERM", 143, "tinyllm: Interrupted\n");
  }

  @Test
  void sigintEndsARunThroughTheBuiltInGraph() throws Exception {
    start("run", "--ollama", sim.baseUri().toString(), "What is 2+2?");

    assertStopsOn("INT", 130, "tinyllm: Interrupted\n");
  }

  @Test
  void sigtermEndsAPipedChatWaitingForAnAnswer() throws Exception {
    start("chat", "--ollama", sim.baseUri().toString(), "-m", MODEL);
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write("Hello\n".getBytes(StandardCharsets.UTF_8));
      stdin.flush();

      assertStopsOn("TERM", 143, "tinyllm: Interrupted\n");
    }
  }

  @Test
  void sigintEndsAPipedChatWaitingForInput() throws Exception {
    gate.open();
    start("chat", "--ollama", sim.baseUri().toString(), "-m", MODEL);
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write("Hello\n".getBytes(StandardCharsets.UTF_8));
      stdin.flush();
      awaitOutput("an answer to the first message");

      signal("INT");

      assertThat(process.waitFor(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS))
          .as("chat ended within %s of SIGINT while reading stdin", PROMPTLY)
          .isTrue();
      assertThat(process.exitValue()).isEqualTo(130);
      assertThat(Files.readString(dir.resolve("err"))).isEqualTo("tinyllm: Interrupted\n");
    }
  }

  private void start(String... args) {
    process = Launcher.startPiped(List.of(args), dir.resolve("err"));
    out = new AwaitableText().pump(process.getInputStream(), "launcher-stdout");
  }

  /** Waits for the held call, signals, and checks the command ended at once and how. */
  private void assertStopsOn(String signal, int exitCode, String stderr) throws Exception {
    awaitHeld();

    signal(signal);

    assertThat(process.waitFor(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS))
        .as("ended within %s of SIG%s; stderr: %s", PROMPTLY, signal, err())
        .isTrue();
    assertThat(process.exitValue()).as(err()).isEqualTo(exitCode);
    // printed by the command after it cancelled and closed: a JVM halted by the grace says nothing
    assertThat(err()).isEqualTo(stderr);
  }

  private void awaitHeld() throws Exception {
    assertThat(gate.awaitHeld(1, START))
        .as(
            "the call reached Ollama within %s; alive: %s, stderr: %s",
            START, process.isAlive(), err())
        .isTrue();
  }

  private void awaitOutput(String what) throws Exception {
    out.await(what, text -> !text.isEmpty(), START);
  }

  private void signal(String name) throws Exception {
    Launcher.signal(process.toHandle(), name);
  }

  private String err() throws IOException {
    return Files.readString(dir.resolve("err"));
  }
}
