package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import org.junit.jupiter.api.Test;

/** {@code tinyllm proxy}: starts in front of the Ollama named, and refuses bad flags as usage. */
class ProxyCommandTest {
  @Test
  void proxiesToTheOllamaNamedAndServesMetricsOnBothPorts() throws Exception {
    try (OllamaSimulator sim =
        OllamaSimulator.start(SimulatorConfig.builder().port(0).timeScale(0).build())) {
      Cli.Result result =
          Cli.run(
              "proxy",
              "--port",
              "0",
              "--ollama",
              sim.baseUri().toString(),
              "--metrics-port",
              "0",
              "--duration",
              "10ms");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .startsWith("Proxying http://127.0.0.1:")
          .contains(" to Ollama at " + sim.baseUri().toString().replaceAll("/$", ""))
          .containsPattern("Serving metrics at http://127\\.0\\.0\\.1:\\d+/metrics\n")
          .containsPattern("(?s)Serving metrics at .*Serving metrics at ");
    }
  }

  @Test
  void outOfRangePortsAreUsageErrors() {
    Cli.Result port = Cli.run("proxy", "--port", "70000");
    assertThat(port.exitCode()).isEqualTo(2);
    assertThat(port.err()).contains("--port must be from 0 to 65535, got 70000");

    Cli.Result metrics = Cli.run("proxy", "--port", "0", "--metrics-port", "-1");
    assertThat(metrics.exitCode()).isEqualTo(2);
    assertThat(metrics.err()).contains("--metrics-port must be from 0 to 65535, got -1");
  }
}
