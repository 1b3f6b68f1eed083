package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.metrics.testing.FreePorts;
import io.tinyllm.metrics.testing.PushgatewayProcess;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HealthCommandTest {
  private static OllamaSimulator sim;
  private static String ollama;

  @BeforeAll
  static void startSimulator() throws Exception {
    sim = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build());
    ollama = sim.baseUri().toString();
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  private static String freePort() {
    return String.valueOf(FreePorts.find());
  }

  @Test
  void everyCheckPassesAgainstTheSimulator() {
    Cli.Result result = Cli.run("health", "--ollama", ollama, "--metrics-port", freePort());

    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    assertThat(result.out())
        .containsPattern("(?m)^OK +ollama +Ollama 0\\.13\\.5 at " + ollama + " is running$")
        .containsPattern("(?m)^OK +models +qwen2\\.5:0\\.5b installed$")
        .containsPattern("(?m)^OK +metrics-port +127\\.0\\.0\\.1:\\d+ is free for /metrics$");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void doctorIsAnAliasAndChecksThePushgateway() {
    try (PushgatewayProcess gateway = PushgatewayProcess.start()) {
      Cli.Result result =
          Cli.run(
              "doctor",
              "--ollama",
              ollama,
              "--metrics-port",
              freePort(),
              "--push-gateway",
              gateway.address());

      assertThat(result.exitCode()).as(result.out()).isZero();
      assertThat(result.out()).containsPattern("(?m)^OK +pushgateway +Pushgateway at http://");
    }
  }

  @Test
  void anUnreachableOllamaFailsWithWhatToDo() {
    String nowhere = Cli.NOWHERE;

    Cli.Result result = Cli.run("health", "--ollama", nowhere, "--metrics-port", freePort());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out())
        .containsPattern("(?m)^FAIL +ollama +Cannot connect to Ollama at http://" + nowhere)
        .contains("ollama serve")
        .containsPattern("(?m)^SKIP +models +Ollama is not reachable$")
        .containsPattern("(?m)^OK +metrics-port ");
    assertThat(result.err()).isEqualTo("tinyllm: 1 of 3 checks failed\n");
  }

  @Test
  void aMissingModelABusyPortAndAnAbsentPushgatewayFail() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      String nowhere = Cli.NOWHERE;
      Cli.Result result =
          Cli.run(
              "health",
              "--ollama",
              ollama,
              "--model",
              "nope:1b",
              "--metrics-port",
              String.valueOf(busy.getLocalPort()),
              "--push-gateway",
              nowhere);

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.out())
          .containsPattern(
              "(?m)^FAIL +models +nope:1b is not installed; pull with: tinyllm models pull nope:1b$")
          .containsPattern(
              "(?m)^FAIL +metrics-port +127\\.0\\.0\\.1:"
                  + busy.getLocalPort()
                  + " is not available .*--metrics-port$")
          .containsPattern(
              "(?m)^FAIL +pushgateway +cannot reach the Pushgateway at http://" + nowhere);
      assertThat(result.err()).isEqualTo("tinyllm: 3 of 4 checks failed\n");
    }
  }

  @Test
  void anUnreachableRedisFails() {
    Cli.Result result =
        Cli.run(
            "health",
            "--ollama",
            ollama,
            "--metrics-port",
            freePort(),
            "--redis-uri",
            "redis://" + Cli.NOWHERE);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out())
        .containsPattern(
            "(?m)^FAIL +redis +cannot reach Redis at redis://127\\.0\\.0\\.1:\\d+: start it");
  }
}
