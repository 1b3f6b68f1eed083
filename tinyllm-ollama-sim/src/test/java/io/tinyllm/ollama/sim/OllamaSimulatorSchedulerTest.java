package io.tinyllm.ollama.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator's scheduler against Ollama v0.13.5's (server/sched.go): requests for a loaded model
 * wait for its single slot instead of being refused, 503 only when the load queue is full, {@code
 * load_duration} is load time only, keep-alive sessions and reloads on changed runner options.
 * Requests are held at a {@link Gate} so that every "at once" is certain, not a matter of timing.
 */
class OllamaSimulatorSchedulerTest {
  private static final Duration LOAD = Duration.ofMillis(300);

  /** How long a wait for what another thread brings about may take: generous on a busy CI. */
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static final String BUSY =
      "{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}";

  private final ExecutorService callers = Executors.newCachedThreadPool();
  private OllamaSimulator sim;
  private SimClient client;

  @AfterEach
  void stop() {
    if (sim != null) {
      sim.close();
    }
    callers.shutdownNow();
  }

  private void start(SimulatorConfig.Builder config) throws Exception {
    sim = OllamaSimulator.start(config.build());
    client = new SimClient(sim.baseUri());
  }

  private static SimulatedModel.Builder model(String name, Duration load) {
    return SimulatedModel.completion(name)
        .loadTime(load)
        .timeToFirstToken(Duration.ZERO)
        .tokensPerSecond(100_000);
  }

  private static String generate(String model, String prompt) {
    return "{\"model\":\"" + model + "\",\"prompt\":\"" + prompt + "\",\"stream\":false}";
  }

  private Future<SimClient.Reply> postAsync(String body) {
    return callers.submit(() -> client.post("/api/generate", body));
  }

  @Test
  void sixConcurrentRequestsToALoadedModelAreServedOneAtATimeAndNoneIsRefused() throws Exception {
    start(SimulatorConfig.builder().model(model("fast:1b", Duration.ZERO).build()));
    assertThat(sim.config().numParallel()).isEqualTo(1);
    assertThat(client.post("/api/generate", generate("fast:1b", "warm up")).status())
        .isEqualTo(200);

    Gate gate = sim.faults().holdBeforeFirstToken(1);
    List<Future<SimClient.Reply>> replies = new ArrayList<>();
    replies.add(postAsync(generate("fast:1b", "first")));
    assertThat(gate.awaitHeld(1, WAIT))
        .as("1 held at the gate")
        .isTrue(); // the first holds the model's only slot
    for (int i = 2; i <= 6; i++) {
      replies.add(postAsync(generate("fast:1b", "request " + i)));
    }
    assertThat(sim.stats().awaitActiveRequests(6, WAIT)).as("6 in the scheduler").isTrue();
    assertThat(sim.stats().runningRequests()).isEqualTo(1);
    assertThat(sim.stats().busyRejections()).isZero();

    gate.open();
    for (Future<SimClient.Reply> reply : replies) {
      SimClient.Reply answer = reply.get(30, TimeUnit.SECONDS);
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.json().get("done").asBoolean()).isTrue();
    }
    assertThat(sim.stats().peakActiveRequests()).isEqualTo(6);
    assertThat(sim.stats().peakRunningRequests()).isEqualTo(1);
    assertThat(sim.stats().busyRejections()).isZero();
    assertThat(sim.stats().modelLoads()).isEqualTo(1);
  }

  @Test
  void aLoadOnlyRequestGetsTheRunnerWithoutWaitingForABusySlot() throws Exception {
    start(SimulatorConfig.builder().model(model("fast:1b", Duration.ZERO).build()));
    assertThat(client.post("/api/generate", generate("fast:1b", "warm up")).status())
        .isEqualTo(200);
    Gate gate = sim.faults().holdBeforeFirstToken(1);
    Future<SimClient.Reply> busy = postAsync(generate("fast:1b", "busy"));
    assertThat(gate.awaitHeld(1, WAIT)).as("1 held at the gate").isTrue();

    // GenerateHandler answers an empty prompt once it has the runner, never calling the runner
    Future<SimClient.Reply> load = postAsync("{\"model\":\"fast:1b\",\"stream\":false}");
    JsonNode loaded = load.get(20, TimeUnit.SECONDS).json();
    assertThat(loaded.get("done_reason").asText()).isEqualTo("load");
    assertThat(busy.isDone()).isFalse();

    gate.open();
    assertThat(busy.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
  }

  @Test
  void numParallelRequestsRunTogether() throws Exception {
    start(SimulatorConfig.builder().numParallel(2).model(model("fast:1b", Duration.ZERO).build()));
    Gate gate = sim.faults().holdBeforeFirstToken(2);
    Future<SimClient.Reply> one = postAsync(generate("fast:1b", "one"));
    Future<SimClient.Reply> two = postAsync(generate("fast:1b", "two"));
    assertThat(gate.awaitHeld(2, WAIT)).as("2 held at the gate").isTrue();
    assertThat(sim.stats().runningRequests()).isEqualTo(2);
    gate.open();
    assertThat(one.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(two.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
    assertThat(sim.stats().modelLoads()).isEqualTo(1);
  }

  @Test
  void aFullLoadQueueAnswers503WithOllamasTextButALoadedModelStillServes() throws Exception {
    Duration forever = Duration.ofMinutes(10); // loads that end only when the simulator closes
    start(
        SimulatorConfig.builder()
            .maxQueue(1)
            .model(model("fast:1b", Duration.ZERO).build())
            .model(model("cold-a:1b", forever).build())
            .model(model("cold-b:1b", forever).build())
            .model(model("cold-c:1b", forever).build()));
    assertThat(client.post("/api/generate", generate("fast:1b", "warm up")).status())
        .isEqualTo(200);

    postAsync(generate("cold-a:1b", "x")); // being loaded
    assertThat(sim.stats().awaitActiveRequests(1, WAIT)).as("1 in the scheduler").isTrue();
    postAsync(generate("cold-b:1b", "x")); // waits in the queue's one place
    assertThat(sim.stats().awaitActiveRequests(2, WAIT)).as("2 in the scheduler").isTrue();

    SimClient.Reply refused = client.post("/api/generate", generate("cold-c:1b", "x"));
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.contentType()).isEqualTo("application/json; charset=utf-8");
    assertThat(refused.body()).isEqualTo(BUSY);
    assertThat(sim.stats().busyRejections()).isEqualTo(1);

    // a loaded model's runner is used directly, so the full queue does not stop it
    assertThat(client.post("/api/generate", generate("fast:1b", "still there")).status())
        .isEqualTo(200);
    assertThat(sim.stats().busyRejections()).isEqualTo(1);
  }

  @Test
  void aQueuedRequestReportsNoLoadAndItsWaitInTotalDuration() throws Exception {
    start(
        SimulatorConfig.builder()
            .model(model("paced:1b", LOAD).tokensPerSecond(100).build())
            .cannedAnswer("long", "one two three four five six seven eight nine ten")
            .cannedAnswer("short", "ok"));
    JsonNode warm = client.post("/api/generate", generate("paced:1b", "short")).json();
    assertThat(warm.get("load_duration").asLong()).isGreaterThanOrEqualTo(LOAD.toNanos());

    Gate gate = sim.faults().holdBeforeFirstToken(1);
    Future<SimClient.Reply> first = postAsync(generate("paced:1b", "long"));
    assertThat(gate.awaitHeld(1, WAIT)).as("1 held at the gate").isTrue();
    Future<SimClient.Reply> queued = postAsync(generate("paced:1b", "short"));
    assertThat(sim.stats().awaitActiveRequests(2, WAIT)).as("2 in the scheduler").isTrue();
    gate.open();

    JsonNode a = first.get(30, TimeUnit.SECONDS).json();
    JsonNode b = queued.get(30, TimeUnit.SECONDS).json();
    long firstEval = a.get("eval_duration").asLong();
    assertThat(firstEval).isEqualTo(10 * 10_000_000L); // ten tokens at 100 per second
    // b waited (at least) while a generated: that is in its total, not in its load
    assertThat(b.get("load_duration").asLong()).isLessThan(Math.min(LOAD.toNanos(), firstEval));
    assertThat(b.get("total_duration").asLong())
        .isGreaterThanOrEqualTo(firstEval + b.get("eval_duration").asLong());
    assertThat(sim.stats().modelLoads()).isEqualTo(1);
  }

  @Test
  void keepAliveMinusOneSticksAcrossRequestsWithoutKeepAlive() throws Exception {
    start(SimulatorConfig.builder().model(model("tiny:1b", Duration.ZERO).build()));
    String forever = "{\"model\":\"tiny:1b\",\"prompt\":\"hi\",\"stream\":false,\"keep_alive\":-1}";
    assertThat(client.post("/api/generate", forever).status()).isEqualTo(200);
    assertThat(expiresAt()).isAfter(Instant.now().plus(Duration.ofDays(365L * 100)));

    assertThat(client.post("/api/generate", generate("tiny:1b", "plain")).status()).isEqualTo(200);
    assertThat(
            client
                .post(
                    "/api/chat",
                    "{\"model\":\"tiny:1b\",\"stream\":false,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"plain\"}]}")
                .status())
        .isEqualTo(200);
    assertThat(expiresAt()).isAfter(Instant.now().plus(Duration.ofDays(365L * 100)));

    // an explicit keep-alive replaces the session; plain requests then keep that one
    String oneMinute =
        "{\"model\":\"tiny:1b\",\"prompt\":\"hi\",\"stream\":false,\"keep_alive\":\"1m\"}";
    assertThat(client.post("/api/generate", oneMinute).status()).isEqualTo(200);
    assertThat(client.post("/api/generate", generate("tiny:1b", "plain")).status()).isEqualTo(200);
    Instant expires = expiresAt();
    assertThat(expires).isBefore(Instant.now().plus(Duration.ofSeconds(61)));
    assertThat(expires).isAfter(Instant.now().plus(Duration.ofSeconds(30)));
    assertThat(sim.stats().modelLoads()).isEqualTo(1);
  }

  @Test
  void changedRunnerOptionsReloadTheModelAndPsShowsTheNewContextLength() throws Exception {
    start(SimulatorConfig.builder().model(model("tiny:1b", Duration.ofMillis(150)).build()));
    JsonNode first = generateWith("\"num_ctx\":2048");
    assertThat(first.get("load_duration").asLong()).isGreaterThanOrEqualTo(150_000_000L);
    assertThat(running().get("context_length").asInt()).isEqualTo(2048);

    JsonNode same = generateWith("\"num_ctx\":2048,\"temperature\":0.1,\"num_gpu\":-1");
    assertThat(same.get("load_duration").asLong()).isLessThan(150_000_000L);
    assertThat(sim.stats().modelLoads()).isEqualTo(1); // sampling options never reload

    JsonNode bigger = generateWith("\"num_ctx\":8192");
    assertThat(bigger.get("load_duration").asLong()).isGreaterThanOrEqualTo(150_000_000L);
    assertThat(sim.stats().modelLoads()).isEqualTo(2);
    assertThat(client.get("/api/ps").json().get("models")).hasSize(1);
    assertThat(running().get("context_length").asInt()).isEqualTo(8192);

    generateWith("\"num_ctx\":8192,\"num_batch\":256");
    assertThat(sim.stats().modelLoads()).isEqualTo(3);
    assertThat(running().get("size_vram").asLong()).isEqualTo(running().get("size").asLong());
    generateWith("\"num_ctx\":8192,\"num_batch\":256,\"num_gpu\":0");
    assertThat(sim.stats().modelLoads()).isEqualTo(4);
    assertThat(running().get("size_vram").asLong()).isZero(); // loaded on the CPU

    // no num_ctx means the default 4096, which differs from the loaded 8192
    client.post("/api/generate", generate("tiny:1b", "plain"));
    assertThat(sim.stats().modelLoads()).isEqualTo(5);
    assertThat(running().get("context_length").asInt()).isEqualTo(4096);
  }

  @Test
  void aCpuOnlyHostReportsNoVram() throws Exception {
    start(SimulatorConfig.builder().cpuOnly(true).model(model("tiny:1b", Duration.ZERO).build()));
    client.post("/api/generate", generate("tiny:1b", "hi"));
    assertThat(running().get("size").asLong()).isPositive();
    assertThat(running().get("size_vram").asLong()).isZero();
  }

  private JsonNode generateWith(String options) {
    SimClient.Reply reply =
        client.post(
            "/api/generate",
            "{\"model\":\"tiny:1b\",\"prompt\":\"hi\",\"stream\":false,\"options\":{"
                + options
                + "}}");
    assertThat(reply.status()).isEqualTo(200);
    return reply.json();
  }

  private JsonNode running() {
    JsonNode models = client.get("/api/ps").json().get("models");
    assertThat(models).hasSize(1);
    return models.get(0);
  }

  private Instant expiresAt() {
    return Instant.parse(running().get("expires_at").asText());
  }
}
