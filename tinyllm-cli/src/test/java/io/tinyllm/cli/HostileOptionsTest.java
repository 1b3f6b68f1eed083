package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Option values a careless or hostile caller gives: each is a usage error (exit 2) naming the
 * option and the value, before anything runs.
 */
class HostileOptionsTest {
  private static final String MODEL = "qwen2.5:0.5b";

  private static OllamaSimulator sim;
  private static String ollama;

  @TempDir Path dir;

  @BeforeAll
  static void startSimulator() throws Exception {
    sim = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build());
    ollama = sim.baseUri().toString();
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  private Path prompts() throws Exception {
    Path file = dir.resolve("prompts.txt");
    Files.writeString(file, "one\ntwo\nthree\n");
    return file;
  }

  /** Runs a batch of three prompts with {@code extra}; asserts nothing reached the model. */
  private Cli.Result batchRunsNothing(String... extra) throws Exception {
    String[] args = new String[6 + extra.length];
    String[] base = {"batch", prompts().toString(), "--ollama", ollama, "--model", MODEL};
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    long before = sim.stats().requests(Endpoint.GENERATE);

    Cli.Result result = Cli.run(args);

    assertThat(sim.stats().requests(Endpoint.GENERATE)).isEqualTo(before);
    assertThat(result.out()).isEmpty();
    return result;
  }

  @Test
  void aBadPushGatewayIsAUsageErrorBeforeAnyPromptRuns() throws Exception {
    Cli.Result notAHost = batchRunsNothing("--push-gateway", "not a host");
    Cli.Result empty = batchRunsNothing("--push-gateway", "");
    Cli.Result badPort = batchRunsNothing("--push-gateway", "127.0.0.1:99999");

    assertThat(notAHost.exitCode()).isEqualTo(2);
    assertThat(notAHost.err())
        .startsWith("tinyllm: Invalid value for option '--push-gateway': 'not a host' is not a");
    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err())
        .startsWith(
            "tinyllm: Invalid value for option '--push-gateway': an empty address: expected"
                + " host:port\n");
    assertThat(badPort.exitCode()).isEqualTo(2);
    assertThat(badPort.err())
        .startsWith(
            "tinyllm: Invalid value for option '--push-gateway': '127.0.0.1:99999': port 99999"
                + " is not from 1 to 65535\n");
  }

  @Test
  void aPushJobWithASpaceIsRefusedInsteadOfArrivingAsPlus() throws Exception {
    Cli.Result result = batchRunsNothing("--push-gateway", Cli.NOWHERE, "--push-job", "x y");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .startsWith(
            "tinyllm: Invalid value for option '--push-job': 'x y': a job name must not contain"
                + " spaces");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "run --temperature NaN hi | --temperature | NaN",
        "run --temperature Infinity hi | --temperature | Infinity",
        "run --temperature -1 hi | --temperature | -1",
        "batch p.txt --temperature NaN | --temperature | NaN",
        "chat --temperature -Infinity | --temperature | -Infinity",
        "run --metrics-port 99999 hi | --metrics-port | 99999",
        "metrics --duration soon | --duration | soon",
        "metrics --port 99999 | --port | 99999",
        "metrics --port nine | --port | nine",
        "metrics --probe-interval often | --probe-interval | often",
        "demo --duration -1s | --duration | -1s",
        "demo --summary-every never | --summary-every | never",
        "demo --rate NaN | --rate | NaN",
        "demo --port 65536 | --port | 65536",
        "ollama-sim --duration soon | --duration | soon",
        "ollama-sim --port 70000 | --port | 70000",
        "ollama-sim --time-scale NaN | --time-scale | NaN",
        "ollama-sim --port 0 --hang soon | --hang | soon",
        "ollama-sim --port 0 --error-rate 2 | --error-rate | 2",
        "health --metrics-port -1 | --metrics-port | -1",
        "--log-level warning version | --log-level | warning",
        "version --log-level verbose | --log-level | verbose",
        "run --log-level=fine hi | --log-level | fine",
      })
  void aBadValueIsAUsageErrorNamingTheOptionAndTheValue(String args, String option, String value) {
    Cli.Result result = Cli.run(args.split(" "));

    assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("tinyllm: Invalid value for option '" + option + "': '" + value + "'");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void anUnknownLogLevelNamesTheLevelsAndDoesNotTurnOnDebug() {
    String before = System.getProperty(LogSetup.LEVEL_PROPERTY);
    Cli.Result result = Cli.run("--log-level", "warning", "version");
    LogSetup.apply(new String[] {"--log-level", "warning", "version"});

    assertThat(result.err())
        .startsWith(
            "tinyllm: Invalid value for option '--log-level': 'warning' is not a log level:"
                + " expected one of ERROR, WARN, INFO, DEBUG, TRACE\n");
    assertThat(System.getProperty(LogSetup.LEVEL_PROPERTY)).isEqualTo(before);
  }

  @Test
  void anOllamaUrlWithoutAHostIsAUsageError() {
    Cli.Result result = Cli.run("run", "--ollama", "http://", "--model", MODEL, "hi");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .startsWith(
            "tinyllm: Invalid value for option '--ollama': No host in Ollama address"
                + " 'http://'\n");
  }
}
