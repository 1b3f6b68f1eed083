package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CacheCommandTest {
  @Test
  void clearingTheMemoryCacheHasNothingToDo() {
    Cli.Result result = Cli.run("cache", "clear");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).startsWith("Nothing to clear: the memory cache lives inside each");
  }

  @Test
  void clearingAnUnreachableRedisFails() {
    String uri = "redis://" + Cli.NOWHERE;

    Cli.Result result = Cli.run("cache", "clear", "--cache-backend", "redis", "--redis-uri", uri);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .endsWith(
            "tinyllm: cannot reach Redis at "
                + uri
                + ", nothing was cleared: start it (redis-server) or fix --redis-uri\n");
  }

  @Test
  void statsNameTheBackendAndABadOneIsAUsageError() {
    Cli.Result memory = Cli.run("cache", "stats");
    Cli.Result bad = Cli.run("cache", "stats", "--cache-backend", "disk");

    assertThat(memory.exitCode()).isZero();
    assertThat(memory.out()).startsWith("backend: memory");
    assertThat(bad.exitCode()).isEqualTo(2);
  }
}
