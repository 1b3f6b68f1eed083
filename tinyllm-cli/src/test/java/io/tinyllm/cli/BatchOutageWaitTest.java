package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyllm.ollama.OllamaConfig;
import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch rides out an Ollama outage ({@code --outage-wait}): the server answers 503 to a number of
 * calls, the client's breaker opens (after 5, for 200 ms here), and prompts wait for its trial
 * calls instead of failing.
 */
class BatchOutageWaitTest {
  private static final String MODEL = "qwen2.5:0.5b";
  private static final int PROMPTS = 12;

  @TempDir Path dir;
  private OllamaSimulator sim;

  @BeforeEach
  void start() throws Exception {
    sim = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build());
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private Cli.Result batch(String outageWait) throws Exception {
    return batch(outageWait, "200ms");
  }

  private Cli.Result batch(String outageWait, String breakerOpen) throws Exception {
    Path prompts = dir.resolve("prompts.txt");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < PROMPTS; i++) {
      text.append("question ").append(i).append('\n');
    }
    Files.writeString(prompts, text);
    Cli cli = new Cli();
    cli.<BatchCommand>command("batch").testSettings =
        Map.of(
            OllamaConfig.BREAKER_OPEN_DURATION, breakerOpen, OllamaConfig.RETRY_MAX_ATTEMPTS, "1");
    return cli.execute(
        "batch",
        prompts.toString(),
        "--ollama",
        sim.baseUri().toString(),
        "--model",
        MODEL,
        "--workers",
        "4",
        "--outage-wait",
        outageWait);
  }

  private static List<JsonNode> rows(String jsonl) throws Exception {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : jsonl.split("\n")) {
      if (!line.isBlank()) {
        rows.add(CliJson.mapper().readTree(line));
      }
    }
    return rows;
  }

  @Test
  void anOutageShorterThanTheWaitFailsNoPrompt() throws Exception {
    // five failures open the breaker; its first two trial calls fail too, the third succeeds
    sim.faults().scope(Endpoint.GENERATE).failNext(7, 503, "server busy");

    Cli.Result result = batch("30s");

    assertThat(result.exitCode()).as(result.err()).isZero();
    List<JsonNode> rows = rows(result.out());
    assertThat(rows).hasSize(PROMPTS);
    rows.forEach(row -> assertThat(row.get("outcome").asText()).isEqualTo("success"));
    assertThat(result.err()).startsWith("batch: 12 prompts, 12 succeeded, 0 failed in ");
    // the failed calls, then one answer per prompt: a rejected prompt never reached the server
    assertThat(sim.stats().requests(Endpoint.GENERATE)).isEqualTo(7 + PROMPTS);
  }

  @Test
  void anOutageLongerThanTheWaitFailsWithTheRootCause() throws Exception {
    sim.faults().scope(Endpoint.GENERATE).failNext(1_000_000, 503, "server busy");

    Cli.Result result = batch("1s");

    assertThat(result.exitCode()).isEqualTo(1);
    List<JsonNode> rows = rows(result.out());
    assertThat(rows).hasSize(PROMPTS);
    for (JsonNode row : rows) {
      assertThat(row.get("outcome").asText()).isEqualTo("error");
      assertThat(row.get("error").asText()).contains("busy");
    }
    assertThat(result.err())
        .startsWith("tinyllm: batch: 12 prompts, 0 succeeded, 12 failed (server_busy 12) in ");
    // prompts tried again as the breaker let trial calls through, not only once
    assertThat(sim.stats().requests(Endpoint.GENERATE)).isGreaterThan(5);
  }

  @Test
  void zeroFailsAtOnceAsBefore() throws Exception {
    sim.faults().scope(Endpoint.GENERATE).failNext(1_000_000, 503, "server busy");

    Cli.Result result = batch("0s", "30s");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("tinyllm: batch: 12 prompts, 0 succeeded, 12 failed (server_busy 12) in ");
    // five failures (and the calls already under way) opened the breaker; the other prompts were
    // rejected without a call, each tried once, and still name the cause
    assertThat(sim.stats().requests(Endpoint.GENERATE)).isBetween(5L, 8L);
    assertThat(rows(result.out()).get(PROMPTS - 1).get("error").asText())
        .contains("is open after 5 consecutive failures; last: server_busy: ");
  }
}
