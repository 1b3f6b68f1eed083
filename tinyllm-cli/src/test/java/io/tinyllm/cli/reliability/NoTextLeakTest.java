package io.tinyllm.cli.reliability;

import static io.tinyllm.cli.reliability.Fixtures.MODEL;
import static io.tinyllm.cli.reliability.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.cli.ReliabilityAccess;
import io.tinyllm.executor.GraphEngine;
import io.tinyllm.executor.GraphLoader;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Prompt and answer text never reach {@code /metrics} nor the logs at the default level (WARN),
 * whatever happens to the call: success, stream, retries, failure mid-stream, graph, batch.
 */
class NoTextLeakTest {
  private static final String PROMPT_MARKER = "PROMPT-" + UUID.randomUUID();
  private static final String ANSWER_MARKER = "ANSWER-" + UUID.randomUUID();

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Logger root;
  private Level rootLevel;

  @TempDir Path dir;

  @BeforeEach
  void captureLogs() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    root.setLevel(Level.WARN); // the level a user gets by default
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    root.detachAppender(logs);
    root.setLevel(rootLevel);
  }

  @Test
  void markersInPromptsAndAnswersAppearInNoScrapeAndNoLog() throws Exception {
    String prompt = "Tell me " + PROMPT_MARKER;
    String failing = "Failing " + PROMPT_MARKER;
    try (OllamaSimulator sim = Fixtures.simulator()) {
      sim.putCannedAnswer(prompt, "Sure: " + ANSWER_MARKER);
      sim.putCannedAnswer(prompt + " streamed", "Streamed: " + ANSWER_MARKER);
      try (ReliabilityAccess.App app =
          Fixtures.start(
              Fixtures.settings(
                  sim.baseUri().toString(),
                  "metrics.exporters",
                  "http",
                  "metrics.http.port",
                  "0"))) {
        LlmClient client = app.get(LlmClient.class);
        assertThat(client.generate(request(prompt)).text()).contains(ANSWER_MARKER);
        assertThat(client.generate(request(prompt)).text()).contains(ANSWER_MARKER); // cache hit
        client
            .generateStream(request(MODEL, prompt + " streamed"), token -> {})
            .completion()
            .join();
        // retried, then failing for good; then failing mid-stream
        sim.faults()
            .failNext(3, 500, "an error was encountered while running the model: cannot answer");
        Fixtures.failure(
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> client.generate(request(failing))));
        sim.faults().midStreamError(2, "crashed", 1);
        Fixtures.failure(
            client.generateStream(request(failing + " stream"), token -> {}).completion());
        // a graph whose input carries the marker
        GraphEngine engine = app.get(GraphEngine.class);
        engine.run(new GraphLoader().loadExample("qa.yaml"), prompt);

        String scrape = app.metrics().scrapeText();
        String served =
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(app.metricsUri()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        for (String text : new String[] {scrape, served}) {
          assertThat(text).contains("tinyllm_requests_total");
          assertThat(text).doesNotContain(PROMPT_MARKER).doesNotContain(ANSWER_MARKER);
        }
      }

      // the batch command, with one prompt failing and a push that fails (a WARN line)
      Path prompts =
          Files.writeString(
              dir.resolve("p.jsonl"),
              "{\"prompt\": \""
                  + prompt
                  + "\"}\n{\"prompt\": \""
                  + failing
                  + "\", \"model\":"
                  + " \"nope:1b\"}\n");
      ReliabilityAccess.Result batch =
          ReliabilityAccess.run(
              "batch",
              prompts.toString(),
              "--ollama",
              sim.baseUri().toString(),
              "-o",
              dir.resolve("out.jsonl").toString(),
              "--push-gateway",
              "127.0.0.1:1");
      assertThat(batch.exitCode()).isEqualTo(1);
      assertThat(batch.err()).doesNotContain(PROMPT_MARKER).doesNotContain(ANSWER_MARKER);
    }

    assertThat(logs.list)
        .as("the failed push was logged at WARN, so the capture works")
        .isNotEmpty();
    for (ILoggingEvent event : logs.list) {
      String text =
          event.getFormattedMessage()
              + (event.getThrowableProxy() == null
                  ? ""
                  : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      assertThat(text).doesNotContain(PROMPT_MARKER).doesNotContain(ANSWER_MARKER);
    }
  }
}
