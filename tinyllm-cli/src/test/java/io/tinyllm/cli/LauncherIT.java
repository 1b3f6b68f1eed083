package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.metrics.SystemInfoMetrics;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The built distribution, run as a user would run it. */
class LauncherIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void versionPrintsTheVersionAndJava() {
    Launcher.Result result = Launcher.run(TIMEOUT, "--version");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .startsWith("tinyllm " + SystemInfoMetrics.version() + "\n")
        .contains("Java 17");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void helpListsTheCommands() {
    Launcher.Result result = Launcher.run(TIMEOUT, "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("Usage: tinyllm").contains("metrics").contains("version");
  }

  @Test
  void anUnknownCommandIsAUsageErrorWithoutAStackTrace() {
    Launcher.Result result = Launcher.run(TIMEOUT, "frobnicate");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("tinyllm: Unmatched argument at index 0: 'frobnicate'")
        .contains("Run 'tinyllm --help' for usage.")
        .doesNotContain("\tat ");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void anInvalidDurationNamesTheOptionAndTheValue() {
    Launcher.Result result = Launcher.run(TIMEOUT, "metrics", "--port", "0", "--duration", "soon");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: Invalid value 'soon' for setting '--duration': expected a duration such as"
                + " 500ms, 30s, 5m or 2h\n");
  }

  @Test
  void metricsPortInUseIsOneClearLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      Launcher.Result result =
          Launcher.run(TIMEOUT, "metrics", "--port", String.valueOf(port), "--duration", "1s");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err())
          .startsWith("tinyllm: Port " + port + " on 127.0.0.1 is already in use")
          .doesNotContain("\tat ")
          .hasLineCount(1);
    }
  }

  @Test
  void metricsServesTheRegistryOfDiscoveredPlugins() {
    Launcher.Result result = Launcher.run(TIMEOUT, "metrics", "--port", "0", "--duration", "1s");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("Serving metrics at http://127.0.0.1:");
  }
}
