package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;

/** Errors are one line in a user's words: no Java class names, no raw exception text. */
class ErrorMessagesTest {
  @TempDir Path dir;

  @Test
  void anUnreachableMetricsEndpointSaysConnectionRefused() {
    Cli.Result stats = Cli.run("stats", "--url", Cli.NOWHERE);
    Cli.Result cache = Cli.run("cache", "stats", "--url", Cli.NOWHERE);

    assertThat(stats.exitCode()).isEqualTo(1);
    assertThat(stats.err())
        .startsWith("tinyllm: Cannot scrape http://127.0.0.1:1/metrics (connection refused): ")
        .doesNotContain("java.")
        .doesNotContain("Exception")
        .hasLineCount(1);
    assertThat(cache.exitCode()).isEqualTo(1);
    assertThat(cache.err()).isEqualTo(stats.err());
  }

  @Test
  void anUnreachablePushgatewayIsAFailedCheckInWords() {
    Cli.Result result =
        Cli.run(
            "health",
            "--ollama",
            Cli.NOWHERE,
            "--metrics-port",
            "0",
            "--push-gateway",
            Cli.NOWHERE);

    assertThat(result.out())
        .containsPattern(
            "(?m)^FAIL +pushgateway +cannot reach the Pushgateway at http://127.0.0.1:1 \\(connection"
                + " refused\\): start it or fix --push-gateway$")
        .doesNotContain("Exception");
  }

  @Test
  void aMissingGraphFileSaysNoSuchFile() {
    String missing = dir.resolve("gone.yaml").toString();

    Cli.Result validate = Cli.run("graph", "validate", missing);
    Cli.Result export = Cli.run("graph", "export", missing);

    assertThat(validate.err())
        .startsWith(missing + ": Cannot read graph file " + missing + ": no such file\n");
    assertThat(export.exitCode()).isEqualTo(1);
    assertThat(export.err())
        .isEqualTo("tinyllm: Cannot read graph file " + missing + ": no such file\n");
  }

  @Test
  void anUnexpectedErrorShowsItsMessageNotItsClass() {
    Cli.Result result = new Cli().with("boom", new Jammed()).execute("boom");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "tinyllm: unexpected error: the widget is jammed (run with --debug for details)\n");
  }

  @Command(name = "boom")
  static final class Jammed implements Runnable {
    @Override
    public void run() {
      throw new IllegalStateException("the widget is jammed");
    }
  }
}
