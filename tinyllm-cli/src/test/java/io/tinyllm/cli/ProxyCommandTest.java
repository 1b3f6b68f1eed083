package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.Endpoint;
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
  void repeatedOllamaFlagsMakeAFleet() throws Exception {
    try (OllamaSimulator a =
            OllamaSimulator.start(SimulatorConfig.builder().port(0).timeScale(0).build());
        OllamaSimulator b =
            OllamaSimulator.start(SimulatorConfig.builder().port(0).timeScale(0).build())) {
      Cli.Result result =
          Cli.run(
              "proxy",
              "--port",
              "0",
              "--ollama",
              "gpu-1=" + a.baseUri(),
              "--ollama",
              b.baseUri().toString(),
              "--duration",
              "10ms");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .startsWith("Proxying http://127.0.0.1:")
          .contains(
              " to a fleet of 2 Ollama servers: gpu-1 ("
                  + a.baseUri()
                  + "), 127.0.0.1:"
                  + b.port()
                  + " ("
                  + b.baseUri()
                  + ")\n");
      // both were health-checked before the proxy listened
      assertThat(a.stats().requests(Endpoint.TAGS)).isEqualTo(1);
      assertThat(b.stats().requests(Endpoint.PS)).isEqualTo(1);
    }
  }

  @Test
  void badOllamaFlagsAreUsageErrors() {
    Cli.Result list = Cli.run("proxy", "--ollama", "a:1,b:2");
    assertThat(list.exitCode()).isEqualTo(2);
    assertThat(list.err()).contains("one Ollama server per --ollama (repeat the option)");

    Cli.Result name = Cli.run("proxy", "--ollama", "gpu 1=http://a:1");
    assertThat(name.exitCode()).isEqualTo(2);
    assertThat(name.err()).contains("invalid server name 'gpu 1'");

    Cli.Result twice =
        Cli.run("proxy", "--port", "0", "--ollama", "127.0.0.1:1", "--ollama", "127.0.0.1:1");
    assertThat(twice.exitCode()).isNotZero();
    assertThat(twice.err()).contains("names backend '127.0.0.1:1' twice").doesNotContain("\tat ");
  }

  @Test
  void theCacheFlagsTurnOnTheResponseCache() throws Exception {
    try (OllamaSimulator sim =
        OllamaSimulator.start(SimulatorConfig.builder().port(0).timeScale(0).build())) {
      Cli.Result on =
          Cli.run(
              "proxy",
              "--port",
              "0",
              "--ollama",
              sim.baseUri().toString(),
              "--cache",
              "--cache-ttl",
              "5m",
              "--duration",
              "10ms");
      Cli.Result off =
          Cli.run(
              "proxy", "--port", "0", "--ollama", sim.baseUri().toString(), "--duration", "10ms");

      assertThat(on.exitCode()).as(on.err()).isZero();
      assertThat(on.out())
          .contains(
              "Answering repeated deterministic calls from the memory cache (entries live 300s)");
      assertThat(off.exitCode()).as(off.err()).isZero();
      assertThat(off.out()).doesNotContain("Answering repeated");
    }
    Cli.Result backend = Cli.run("proxy", "--cache", "--cache-backend", "disk");
    assertThat(backend.exitCode()).isEqualTo(2);
    assertThat(backend.err())
        .contains("Invalid value 'disk' for --cache-backend: expected memory or redis");
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
