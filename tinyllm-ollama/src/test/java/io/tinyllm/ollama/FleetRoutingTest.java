package io.tinyllm.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.ConfigException;
import io.tinyllm.api.error.LlmConnectionException;
import io.tinyllm.api.error.ModelNotFoundException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.EmbedRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.StreamListener;
import io.tinyllm.metrics.LabelGuard;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ollama.hosts}: the client routes over several simulators, each a real HTTP server on
 * loopback, with the router's clock held by the test.
 */
class FleetRoutingTest {
  private static final String MODEL = "qwen2.5:0.5b";

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final PrometheusRegistry registry = new PrometheusRegistry();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @Test
  void aHostThatRefusesConnectionsIsSkippedUntilItsRetryTimeThenTriedAgain() throws Exception {
    URI dead = deadAddress();
    OllamaSimulator live = sim(SimulatorConfig.builder().timeScale(0.01).build());
    OllamaClient client =
        client(Map.of(OllamaConfig.HOST_RETRY_AFTER, "10s"), dead, live.baseUri());

    for (int i = 0; i < 4; i++) {
      assertThat(client.generate(GenerateRequest.builder(MODEL, "hi " + i).build()).text())
          .isNotEmpty();
    }

    // the dead host was tried once, then skipped; each call it took moved on to the live one
    assertThat(value("tinyllm_ollama_host_requests_total", dead)).isEqualTo(1.0);
    assertThat(value("tinyllm_ollama_host_failovers_total", dead)).isEqualTo(1.0);
    assertThat(value("tinyllm_ollama_host_up", dead)).isEqualTo(0.0);
    assertThat(value("tinyllm_ollama_host_requests_total", live.baseUri())).isEqualTo(4.0);
    assertThat(value("tinyllm_ollama_host_up", live.baseUri())).isEqualTo(1.0);
    assertThat(live.stats().requestsForModel(MODEL)).isEqualTo(4);

    // the host comes back; within its retry time it gets no call
    OllamaSimulator revived =
        sim(SimulatorConfig.builder().timeScale(0.01).port(dead.getPort()).build());
    client.generate(GenerateRequest.builder("qwen2.5:1.5b", "cold model").build());
    assertThat(revived.stats().totalRequests()).isZero();

    // after it, the host is routed to again: two cold models go one to each host
    clock.addAndGet(TimeUnit.SECONDS.toNanos(10));
    client.generate(GenerateRequest.builder("qwen2.5:3b", "one").build());
    client.embed(EmbedRequest.of("nomic-embed-text", List.of("two")));
    assertThat(revived.stats().totalRequests()).isEqualTo(1);
    assertThat(value("tinyllm_ollama_host_up", dead)).isEqualTo(1.0);
    assertThat(value("tinyllm_ollama_host_in_flight", live.baseUri())).isEqualTo(0.0);
  }

  @Test
  void aStreamMovesOnWhenTheFirstHostCannotBeReached() throws Exception {
    URI dead = deadAddress();
    OllamaSimulator live = sim(SimulatorConfig.builder().timeScale(0.01).build());
    OllamaClient client = client(Map.of(), dead, live.baseUri());

    StringBuilder tokens = new StringBuilder();
    LlmResponse answer =
        client
            .generateStream(
                GenerateRequest.builder(MODEL, "stream please").build(),
                new StreamListener() {
                  @Override
                  public void onToken(String token) {
                    tokens.append(token);
                  }
                })
            .completion()
            .get(30, TimeUnit.SECONDS);

    assertThat(answer.text()).isNotEmpty().isEqualTo(tokens.toString());
    assertThat(value("tinyllm_ollama_host_failovers_total", dead)).isEqualTo(1.0);
    assertThat(value("tinyllm_ollama_host_in_flight", dead)).isEqualTo(0.0);
    assertThat(value("tinyllm_ollama_host_in_flight", live.baseUri())).isEqualTo(0.0);
  }

  @Test
  void aCallGoesToAHostThatHasTheModelLoaded() throws Exception {
    OllamaSimulator a = sim(SimulatorConfig.builder().timeScale(0.01).build());
    OllamaSimulator b = sim(SimulatorConfig.builder().timeScale(0.01).build());
    // b has the model loaded; the client learns it from /api/ps
    try (OllamaClient direct = OllamaClient.create(configFor(Map.of(), b.baseUri()))) {
      direct.generate(GenerateRequest.builder(MODEL, "warm up").build());
    }
    OllamaClient client = client(Map.of(), a.baseUri(), b.baseUri());
    assertThat(client.running()).extracting(RunningModel::name).containsExactly(MODEL);

    for (int i = 0; i < 5; i++) {
      client.generate(GenerateRequest.builder(MODEL, "q" + i).build());
    }

    assertThat(a.stats().requestsForModel(MODEL)).isZero();
    assertThat(b.stats().requestsForModel(MODEL)).isEqualTo(6);
    assertThat(a.isLoaded(MODEL)).isFalse();
  }

  @Test
  void aCallMovesOnFromAHostThatDoesNotHaveTheModel() throws Exception {
    OllamaSimulator without =
        sim(SimulatorConfig.builder().timeScale(0.01).withoutModel(MODEL).build());
    OllamaSimulator with = sim(SimulatorConfig.builder().timeScale(0.01).build());
    OllamaClient client = client(Map.of(), without.baseUri(), with.baseUri());

    for (int i = 0; i < 4; i++) {
      client.generate(GenerateRequest.builder(MODEL, "q" + i).build());
    }

    // after the first answer the model is warm on the host that has it: no more detours
    assertThat(with.stats().requestsForModel(MODEL)).isEqualTo(4);
    assertThat(value("tinyllm_ollama_host_failovers_total", without.baseUri()))
        .isLessThanOrEqualTo(1.0);
    assertThat(client.list()).extracting(LocalModel::name).contains(MODEL);
  }

  @Test
  void aConversationStaysOnTheHostThatServedItsStart() throws Exception {
    OllamaSimulator a = sim(SimulatorConfig.builder().timeScale(0.01).build());
    OllamaSimulator b = sim(SimulatorConfig.builder().timeScale(0.01).build());
    OllamaClient client = client(Map.of(), a.baseUri(), b.baseUri());
    // both warm: only the conversation decides
    for (OllamaSimulator sim : List.of(a, b)) {
      try (OllamaClient direct = OllamaClient.create(configFor(Map.of(), sim.baseUri()))) {
        direct.generate(GenerateRequest.builder(MODEL, "warm up").build());
      }
    }
    client.running();
    long aBefore = a.stats().requestsForModel(MODEL);
    long bBefore = b.stats().requestsForModel(MODEL);

    List<ChatMessage> messages = new ArrayList<>();
    messages.add(ChatMessage.system("You are terse."));
    for (int turn = 0; turn < 6; turn++) {
      messages.add(ChatMessage.user("question " + turn));
      LlmResponse answer = client.chat(ChatRequest.of(MODEL, List.copyOf(messages)));
      messages.add(ChatMessage.assistant(answer.text()));
      // an unrelated call in between takes the other turn of the tie-break
      client.generate(GenerateRequest.builder(MODEL, "unrelated " + turn).build());
    }

    long aChats = a.stats().requestsForModel(MODEL) - aBefore;
    long bChats = b.stats().requestsForModel(MODEL) - bBefore;
    assertThat(aChats + bChats).isEqualTo(12);
    // six turns on one host, the six unrelated calls spread over both
    assertThat(Math.max(aChats, bChats)).isGreaterThanOrEqualTo(6);
    assertThat(Math.min(aChats, bChats)).isGreaterThanOrEqualTo(1);
    assertThat(stickyHost(a, b, messages, client)).isTrue();
  }

  @Test
  void listMergesTheHostsAndDeleteReachesEveryHostThatHasTheModel() throws Exception {
    OllamaSimulator a =
        sim(SimulatorConfig.builder().timeScale(0.01).withoutModel("qwen2.5:3b").build());
    OllamaSimulator b = sim(SimulatorConfig.builder().timeScale(0.01).build());
    OllamaClient client = client(Map.of(), a.baseUri(), b.baseUri());

    List<String> names = client.list().stream().map(LocalModel::name).toList();
    assertThat(names).doesNotHaveDuplicates().contains(MODEL, "qwen2.5:3b");

    client.delete(MODEL);
    assertThat(a.installedModels()).doesNotContain(MODEL);
    assertThat(b.installedModels()).doesNotContain(MODEL);
    client.delete("qwen2.5:3b"); // only b has it: not an error
    assertThat(b.installedModels()).doesNotContain("qwen2.5:3b");
    assertThatThrownBy(() -> client.delete("qwen2.5:3b"))
        .isInstanceOf(ModelNotFoundException.class);
  }

  @Test
  void pullReachesEveryHost() throws Exception {
    OllamaSimulator a = sim(SimulatorConfig.builder().timeScale(0.01).build());
    OllamaSimulator b = sim(SimulatorConfig.builder().timeScale(0.01).build());
    String extra =
        a.config().pullableModels().stream()
            .map(m -> m.name())
            .filter(n -> !a.installedModels().contains(n))
            .findFirst()
            .orElseThrow();
    OllamaClient client = client(Map.of(), a.baseUri(), b.baseUri());

    List<PullProgress> successes = new ArrayList<>();
    client.pull(
        extra,
        p -> {
          if (p.isSuccess()) {
            successes.add(p);
          }
        });

    assertThat(successes).hasSize(2);
    assertThat(a.installedModels()).contains(extra);
    assertThat(b.installedModels()).contains(extra);
  }

  @Test
  void healthOfAFleetSaysHowManyHostsAnswer() throws Exception {
    URI dead = deadAddress();
    OllamaSimulator live = sim(SimulatorConfig.builder().timeScale(0.01).build());
    OllamaClient client = client(Map.of(), live.baseUri(), dead);

    OllamaHealth health = client.health();

    assertThat(health.healthy()).isTrue();
    assertThat(health.detail()).startsWith("1 of 2 servers answer; ").contains(dead.toString());
  }

  @Test
  void whenNoHostCanBeReachedTheCallFailsWithTheLastHostsConnectionError() throws Exception {
    URI first = deadAddress();
    URI second = deadAddress();
    OllamaClient client = client(Map.of(OllamaConfig.RETRY_MAX_ATTEMPTS, "1"), first, second);

    assertThatThrownBy(() -> client.generate(GenerateRequest.builder(MODEL, "x").build()))
        .isInstanceOf(LlmConnectionException.class)
        .hasMessageContaining(second.getHost());
    assertThat(value("tinyllm_ollama_host_up", first)).isEqualTo(0.0);
    assertThat(value("tinyllm_ollama_host_up", second)).isEqualTo(0.0);
  }

  @Test
  void settingsNameTheHostsAndRefuseWhatCannotBeMeant() {
    OllamaConfig config =
        OllamaConfig.from(
            Settings.of(Map.of(OllamaConfig.HOSTS, "gpu-a:11434, http://gpu-b:8080")),
            Map.of("OLLAMA_HOST", "ignored:1"));
    assertThat(config.hosts())
        .containsExactly(URI.create("http://gpu-a:11434"), URI.create("http://gpu-b:8080"));
    assertThat(config.host()).isEqualTo(URI.create("http://gpu-a:11434"));
    assertThat(config.isFleet()).isTrue();

    assertThatThrownBy(
            () ->
                OllamaConfig.from(
                    Settings.of(Map.of(OllamaConfig.HOSTS, "a:1", OllamaConfig.HOST, "b:2")),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("both set");
    assertThatThrownBy(
            () -> OllamaConfig.from(Settings.of(Map.of(OllamaConfig.HOSTS, "a:1,,b:2")), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("entry 2 is empty");
    assertThatThrownBy(
            () -> OllamaConfig.from(Settings.of(Map.of(OllamaConfig.HOSTS, "a:1,a:1")), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(
            () ->
                OllamaConfig.from(
                    Settings.of(Map.of(OllamaConfig.HOSTS, "a:1,http://u:secret@b:2")), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("entry 2")
        .hasMessageNotContaining("secret");
  }

  /** The next turn of {@code messages}' conversation lands where its earlier turns did. */
  private static boolean stickyHost(
      OllamaSimulator a, OllamaSimulator b, List<ChatMessage> messages, OllamaClient client) {
    long aBefore = a.stats().requestsForModel(MODEL);
    List<ChatMessage> next = new ArrayList<>(messages);
    next.add(ChatMessage.user("one more"));
    client.chat(ChatRequest.of(MODEL, next));
    boolean onA = a.stats().requestsForModel(MODEL) > aBefore;
    client.chat(ChatRequest.of(MODEL, next));
    return onA == (a.stats().requestsForModel(MODEL) > aBefore + 1);
  }

  private OllamaSimulator sim(SimulatorConfig config) throws IOException {
    OllamaSimulator sim = OllamaSimulator.start(config);
    closing.add(sim);
    return sim;
  }

  private static OllamaConfig configFor(Map<String, String> settings, URI... hosts) {
    Map<String, String> all = new HashMap<>(ClientFixture.testDefaults());
    all.putAll(settings);
    all.put(
        OllamaConfig.HOSTS,
        String.join(",", java.util.Arrays.stream(hosts).map(URI::toString).toList()));
    return OllamaConfig.from(Settings.of(all), Map.of());
  }

  private OllamaClient client(Map<String, String> settings, URI... hosts) {
    OllamaConfig config = configFor(settings, hosts);
    OllamaMetrics metrics = new OllamaMetrics(new LabelGuard(100, 128), config, clock::get);
    metrics.sets().forEach(set -> set.collectors().forEach(registry::register));
    OllamaClient client = new OllamaClient(config, metrics);
    closing.add(client);
    return client;
  }

  private double value(String family, URI host) {
    String series = family + "{host=\"" + HostMetrics.label(host) + "\"}";
    for (String line : ClientFixture.scrape(registry).split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
      }
    }
    return Double.NaN;
  }

  /** A loopback address nothing listens on: connections are refused at once. */
  private static URI deadAddress() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }
}
