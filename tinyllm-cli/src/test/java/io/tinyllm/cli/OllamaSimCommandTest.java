package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.FaultFlags;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code tinyllm ollama-sim}: its scheduler and fault flags reach the simulator. */
class OllamaSimCommandTest {
  @Test
  void aMidStreamErrorFlagBreaksTheNextStreamAfterItsChunks() throws Exception {
    Cli cli = new Cli();
    Cli.Running running =
        cli.start(
            "ollama-sim",
            "--port",
            "0",
            "--time-scale",
            "0.01",
            "--mid-stream-error",
            "2",
            "--fault-message",
            "runner crashed",
            "--fault-times",
            "1",
            "--duration",
            "3s");
    String out = cli.awaitOut(o -> o.contains("listening on http"), Duration.ofSeconds(20));
    URI base = URI.create(out.substring(out.indexOf("http")).strip());
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> reply =
        http.send(
            HttpRequest.newBuilder(base.resolve("/api/generate"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"qwen2.5:0.5b\",\"prompt\":\"hi\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    List<String> lines = reply.body().lines().toList();
    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2)).isEqualTo("{\"error\":\"runner crashed\"}");
    assertThat(running.result(Duration.ofSeconds(20)).exitCode()).isZero();
  }

  @Test
  void everyFaultFlagOfTheSimulatorIsAnOptionWithItsHelp() {
    String help = Cli.run("ollama-sim", "--help").out();
    for (FaultFlags.Flag flag : FaultFlags.FLAGS) {
      assertThat(help).contains(flag.name() + "=" + flag.label());
    }
  }

  @Test
  void aBadFaultFlagValueIsAUsageErrorOfOneLine() {
    Cli.Result result = Cli.run("ollama-sim", "--port", "0", "--fail-next", "two");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: Invalid value for option '--fail-next': 'two' (expected COUNT[:STATUS],"
                + " e.g. 2 or 2:503)"
                + System.lineSeparator());
    assertThat(result.out()).isEmpty();
  }

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
