package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code tinyllm ollama-sim}: its scheduler flags reach the simulator's configuration. */
class OllamaSimCommandTest {
  @Test
  void schedulerFlagsAreAcceptedAndServe() {
    Cli.Result result =
        Cli.run(
            "ollama-sim",
            "--port",
            "0",
            "--num-parallel",
            "2",
            "--max-queue",
            "0",
            "--duration",
            "10ms");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("Ollama simulator listening on http://127.0.0.1:");
    // the former name still works
    assertThat(
            Cli.run("ollama-sim", "--port", "0", "--max-parallel", "3", "--duration", "10ms")
                .exitCode())
        .isZero();
  }

  @Test
  void outOfRangeSchedulerFlagsAreUsageErrorsNamingTheLimit() {
    Cli.Result parallel = Cli.run("ollama-sim", "--port", "0", "--num-parallel", "0");
    assertThat(parallel.exitCode()).isEqualTo(2);
    assertThat(parallel.err()).contains("numParallel must be in [1, 1024]");

    Cli.Result queue = Cli.run("ollama-sim", "--port", "0", "--max-queue", "-1");
    assertThat(queue.exitCode()).isEqualTo(2);
    assertThat(queue.err()).contains("maxQueue must be in [0, 1000000]");
  }
}
