package io.tinyllm.cli.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.metrics.testing.PushgatewayProcess;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch whose Pushgateway is gone or refuses the push still writes every result. */
class PushgatewayFailureTest {
  private static final int PROMPTS = 6;
  private static OllamaSimulator sim;

  @TempDir Path dir;

  @BeforeAll
  static void startSimulator() {
    sim = Fixtures.simulator();
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  private Path prompts() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < PROMPTS; i++) {
      text.append("{\"prompt\": \"question ").append(i).append("\", \"id\": ").append(i);
      text.append("}\n");
    }
    Path file = dir.resolve("prompts.jsonl");
    Files.writeString(file, text);
    return file;
  }

  private ReliabilityAccess.Result batch(String gateway, Path results) throws IOException {
    return ReliabilityAccess.run(
        "batch",
        prompts().toString(),
        "--ollama",
        sim.baseUri().toString(),
        "--workers",
        "3",
        "-o",
        results.toString(),
        "--push-gateway",
        gateway);
  }

  private static void assertAllResultsWritten(Path results) throws IOException {
    List<String> lines = Files.readAllLines(results, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(PROMPTS);
    for (int i = 0; i < PROMPTS; i++) {
      assertThat(lines.get(i)).contains("\"index\":" + i).contains("\"error\":null");
    }
  }

  @Test
  void aGatewayThatWentAwayFailsThePushNotTheResults() throws Exception {
    String address;
    try (PushgatewayProcess gateway = PushgatewayProcess.start()) {
      address = gateway.address();
    }
    Path results = dir.resolve("results.jsonl");

    ReliabilityAccess.Result result = batch(address, results);

    assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
    assertThat(result.err())
        .contains("batch: " + PROMPTS + " prompts, " + PROMPTS + " succeeded, 0 failed")
        .containsIgnoringCase("push")
        .contains(address)
        .doesNotContain("\tat ");
    assertAllResultsWritten(results);
  }

  @Test
  void aGatewayAnswering400FailsThePushNotTheResults() throws Exception {
    AtomicInteger pushes = new AtomicInteger();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          pushes.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          byte[] body =
              "pushed metrics are invalid or inconsistent with existing metrics"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(400, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      Path results = dir.resolve("results.jsonl");
      ReliabilityAccess.Result result =
          batch("127.0.0.1:" + server.getAddress().getPort(), results);

      assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
      assertThat(pushes.get()).isPositive();
      assertThat(result.err())
          .contains("batch: " + PROMPTS + " prompts, " + PROMPTS + " succeeded, 0 failed")
          .contains("400")
          .doesNotContain("\tat ");
      assertThat(result.err().lines().filter(l -> l.startsWith("tinyllm: ")).count()).isEqualTo(1);
      assertAllResultsWritten(results);
    } finally {
      server.stop(0);
    }
  }
}
