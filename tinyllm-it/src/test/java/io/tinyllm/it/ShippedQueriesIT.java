package io.tinyllm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import io.tinyllm.it.support.Polling;
import io.tinyllm.it.support.PromQlExamples;
import io.tinyllm.it.support.PrometheusApi;
import io.tinyllm.it.support.PrometheusApi.RangeSeries;
import io.tinyllm.it.support.PrometheusProcess;
import io.tinyllm.it.support.ShippedQueries;
import io.tinyllm.metrics.testing.FreePorts;
import io.tinyllm.metrics.testing.PushgatewayProcess;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every query the project ships answers from a real run: Debian's {@code prometheus} scrapes a
 * default {@code tinyllm demo} (the distribution's launcher) every second and a Pushgateway that a
 * {@code tinyllm batch} pushes to, with {@code docs/prometheus/rules.yml} loaded. Each query of
 * {@code docs/promql.md}, {@code docs/metrics_README.md} and the Grafana dashboard is asked over
 * the run as a panel asks (a range query) and must give a number at some step, not only NaN; the
 * rules must all evaluate; every family of {@code docs/metrics.md} that a demo can produce must
 * have series; and what the run is known to have done is checked by value.
 *
 * <p>All of it runs on this machine's loopback, without containers: Prometheus must reach processes
 * started by the test, and the demo under test is this build's, not an image another build may have
 * replaced.
 */
class ShippedQueriesIT {
  private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);

  /** Grafana's {@code $__rate_interval} for this scrape interval: four scrape intervals. */
  private static final String RATE_INTERVAL = "4s";

  /**
   * Long enough for the demo's first pull (20 s in, about 10 s long) and first Ollama outage (30 s
   * in, the breakers closing 5 s later).
   */
  private static final Duration ANSWERED_WITHIN = Duration.ofSeconds(150);

  private static final String BATCH_JOB = "tinyllm-batch";
  private static final List<String> BATCH_PROMPTS =
      List.of("What is 2+2?", "Name a river.", "Why is the sky blue?");

  /**
   * Families of docs/metrics.md that a default demo does not produce, with the reason. Everything
   * else there must have series during the run.
   */
  private static final Map<String, String> NOT_IN_A_DEMO =
      Map.ofEntries(
          Map.entry("tinyllm_batch_last_success_timestamp_seconds", "batch only (pushed)"),
          Map.entry("tinyllm_batch_duration_seconds", "batch only (pushed)"),
          Map.entry("tinyllm_batch_prompts_total", "batch only (pushed)"),
          Map.entry("tinyllm_pushgateway_pushes_total", "a process that pushes"),
          Map.entry("tinyllm_pushgateway_last_success_timestamp_seconds", "a process that pushes"),
          Map.entry("tinyllm_ollama_up", "`tinyllm metrics --ollama URL` only"),
          Map.entry("tinyllm_ollama_last_probe_timestamp_seconds", "`tinyllm metrics --ollama`"),
          Map.entry("tinyllm_proxy_requests_total", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_active_requests", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_client_disconnects_total", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_upstream_failures_total", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_connections_refused_total", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_backend_requests_total", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_backend_in_flight", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_backend_errors_total", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_backend_up", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_backend_models_loaded", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_routing_decisions_total", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_backend_failovers_total", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_backend_circuit_breaker_state", "`tinyllm proxy` only"),
          Map.entry("tinyllm_proxy_admission_waiting", "`tinyllm proxy` with its queue on only"),
          Map.entry(
              "tinyllm_proxy_admission_wait_seconds", "`tinyllm proxy` with its queue on only"),
          Map.entry(
              "tinyllm_proxy_admission_rejected_total", "`tinyllm proxy` with its queue on only"),
          // the demo's memory cache has no operation that can fail; the panel shows 0
          Map.entry("tinyllm_cache_errors_total", "the Redis backend only"));

  private static final Pattern FAMILY_ROW = Pattern.compile("^\\| `(tinyllm_[a-z0-9_]+)`");

  private static Path home;
  private static OllamaSimulator batchOllama;
  private static PushgatewayProcess pushgateway;
  private static PrometheusProcess prometheus;
  private static Process demo;
  private static Instant demoStarted;
  private static PrometheusApi api;

  @BeforeAll
  static void runTheDemoAndABatch() throws Exception {
    Path launcher = launcher();
    home = Files.createTempDirectory("tinyllm-it-queries");
    batchOllama = OllamaSimulator.start(SimulatorConfig.builder().timeScale(0).build());
    pushgateway = PushgatewayProcess.start();
    int demoPort = FreePorts.find();
    prometheus =
        PrometheusProcess.start(
            """
            global:
              scrape_interval: %ds
              evaluation_interval: %ds
            rule_files:
              - rules.yml
            scrape_configs:
              - job_name: tinyllm
                static_configs:
                  - targets: ["127.0.0.1:%d"]
              - job_name: pushgateway
                honor_labels: true
                static_configs:
                  - targets: ["%s"]
            """
                .formatted(
                    SCRAPE_INTERVAL.toSeconds(),
                    SCRAPE_INTERVAL.toSeconds(),
                    demoPort,
                    pushgateway.address()),
            Map.of(
                "rules.yml",
                Files.readString(PromQlExamples.docs().resolve("prometheus/rules.yml"))));
    api = new PrometheusApi(prometheus.url());

    demoStarted = Instant.now();
    // a default demo, bounded in case this JVM dies without closing it
    demo =
        start(
            launcher,
            "demo",
            List.of("demo", "--port", String.valueOf(demoPort), "--duration", "5m"));
    Polling.untilAsserted(
        Duration.ofSeconds(60),
        () -> {
          assertThat(demo.isAlive()).as("demo running; %s", output("demo")).isTrue();
          assertThat(api.query("up{job=\"tinyllm\"} == 1")).hasSize(1);
        });

    Path prompts = home.resolve("prompts.txt");
    Files.write(prompts, BATCH_PROMPTS);
    Process batch =
        start(
            launcher,
            "batch",
            List.of(
                "batch",
                prompts.toString(),
                "--ollama",
                batchOllama.baseUri().toString(),
                "--push-gateway",
                pushgateway.address()));
    if (!batch.waitFor(90, TimeUnit.SECONDS)) {
      batch.destroyForcibly();
      fail("the batch did not end within 90 s; " + output("batch"));
    }
    assertThat(batch.exitValue()).as("batch exit status; %s", output("batch")).isZero();
  }

  @AfterAll
  static void stop() throws Exception {
    if (demo != null) {
      demo.destroy();
      if (!demo.waitFor(30, TimeUnit.SECONDS)) {
        demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (prometheus != null) {
      prometheus.close();
    }
    if (pushgateway != null) {
      pushgateway.close();
    }
    if (batchOllama != null) {
      batchOllama.close();
    }
    if (home != null) {
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  @Test
  void everyShippedQueryGivesANumberDuringTheRun() throws Exception {
    Map<String, String> queries = ShippedQueries.read(PromQlExamples.docs(), RATE_INTERVAL);
    assertThat(queries).as("queries shipped").hasSizeGreaterThan(100);
    // the proxy's panels: a demo runs no proxy; ProxyFleetIT asks them of one
    queries.values().removeIf(ShippedQueries::needsAProxy);
    Map<String, String> unanswered = new LinkedHashMap<>(queries);

    // each query must have a number at some step; asked again until it has (rate() needs two
    // scrapes in its window, the pull gauges exist only while a pull runs)
    Polling.untilAsserted(
        ANSWERED_WITHIN,
        () -> {
          for (Map.Entry<String, String> query : List.copyOf(unanswered.entrySet())) {
            if (overTheRun(query.getValue()).stream().anyMatch(s -> s.max().isPresent())) {
              unanswered.remove(query.getKey());
            }
          }
          assertThat(unanswered).as("shipped queries with no number over the run").isEmpty();
        });
  }

  @Test
  void whatTheRunDidIsWhatTheQueriesSay() throws Exception {
    Polling.untilAsserted(
        ANSWERED_WITHIN,
        () -> {
          // the tour's failed calls are increases, though they happen in the first seconds
          assertThat(api.query("sum(increase(tinyllm_errors_total[10m])) > 0")).hasSize(1);
          // the demo's Ollama outage (30 s in) opens the breakers of the models in use, and the
          // first success after the open duration closes them: increase() sees each transition
          assertThat(
                  maxOverTheRun(
                      "sum(tinyllm_circuit_breaker_in_state{tinyllm_circuit_breaker_in_state=\"open\"})"))
              .as("breakers open at some scrape")
              .isGreaterThanOrEqualTo(1);
          for (String toState : List.of("open", "half_open", "closed")) {
            assertThat(
                    maxOverTheRun(
                        "sum(increase(tinyllm_circuit_breaker_transitions_total{job=\"tinyllm\","
                            + " to_state=\""
                            + toState
                            + "\"}["
                            + RATE_INTERVAL
                            + "]))"))
                .as("increase of transitions to %s", toState)
                .isPositive();
          }
          // a cache of 16 entries under 30 distinct deterministic calls evicts
          assertThat(
                  maxOverTheRun(
                      "sum by (cause) (rate(tinyllm_cache_evictions_total{cause=\"size\"}["
                          + RATE_INTERVAL
                          + "]))"))
              .isPositive();
          // bursts of 24 calls into a queue of 16 are rejected in part
          assertThat(maxOverTheRun("sum(tinyllm_queue_requests_rejected_total)")).isPositive();
          // the pull's progress is a share of its bytes
          assertThat(
                  maxOverTheRun(
                      "tinyllm_ollama_pull_completed_bytes / tinyllm_ollama_pull_total_bytes"))
              .isGreaterThan(0)
              .isLessThanOrEqualTo(1);
          // the client's rate limiter (on by default) mostly has a token at hand: waits of
          // exactly 0 are counted in their own bucket, not read as a bucket's midpoint
          assertThat(
                  maxOverTheRun(
                      "sum(tinyllm_rate_limit_wait_seconds_bucket{job=\"tinyllm\", le=~\"0(\\\\.0)?\"})"))
              .isPositive();
        });
  }

  @Test
  void theBatchPushedItsResultsAndNothingOfItsProcess() throws Exception {
    String job = "job=\"" + BATCH_JOB + "\"";
    Polling.untilAsserted(
        Duration.ofSeconds(30),
        () -> {
          assertThat(api.query("tinyllm_batch_prompts_total{" + job + "}"))
              .extracting(s -> s.label("outcome"), PrometheusApi.Series::value)
              .containsExactlyInAnyOrder(
                  tuple("success", String.valueOf(BATCH_PROMPTS.size())), tuple("error", "0"));
          assertThat(
                  api.query(
                      "{"
                          + job
                          + ", __name__=~\"tinyllm_ollama_.*|tinyllm_system_info|jvm_.*|process_.*\"}"))
              .as("inventory, system info and process series pushed by the batch")
              .isEmpty();
          // versions running: the demo only, as the batch did not push tinyllm_system_info
          assertThat(api.query("count by (version) (tinyllm_system_info)"))
              .extracting(PrometheusApi.Series::value)
              .containsExactly("1");
        });
  }

  @Test
  void everyRuleEvaluatesAndEveryRecordingRuleRecords() throws Exception {
    String rulesFile = Files.readString(PromQlExamples.docs().resolve("prometheus/rules.yml"));
    long declared = rulesFile.lines().filter(l -> l.matches("\\s*- (record|alert): .*")).count();
    Polling.untilAsserted(
        ANSWERED_WITHIN,
        () -> {
          List<PrometheusApi.Rule> rules = api.rules();
          assertThat(rules).as("rules loaded").hasSize((int) declared);
          assertThat(rules)
              .as("rules that did not evaluate cleanly")
              .filteredOn(rule -> !"ok".equals(rule.health()))
              .isEmpty();
          List<String> empty = new ArrayList<>();
          for (PrometheusApi.Rule rule : rules) {
            if ("recording".equals(rule.type())
                && overTheRun(rule.name()).stream().noneMatch(s -> s.max().isPresent())) {
              empty.add(rule.name());
            }
          }
          assertThat(empty).as("recording rules with no number over the run").isEmpty();
        });
  }

  @Test
  void everyFamilyADemoCanProduceHasSeries() throws Exception {
    Set<String> documented = new TreeSet<>();
    for (String line : Files.readAllLines(PromQlExamples.docs().resolve("metrics.md"))) {
      Matcher row = FAMILY_ROW.matcher(line);
      if (row.find()) {
        documented.add(row.group(1));
      }
    }
    assertThat(documented).as("families of docs/metrics.md").hasSizeGreaterThan(60);
    assertThat(documented).containsAll(NOT_IN_A_DEMO.keySet());

    Polling.untilAsserted(
        ANSWERED_WITHIN,
        () -> {
          Set<String> scraped = new TreeSet<>();
          for (RangeSeries series :
              overTheRun("group by (__name__) ({job=\"tinyllm\", __name__=~\"tinyllm_.+\"})")) {
            scraped.add(series.labels().get("__name__").replaceAll("_(bucket|count|sum)$", ""));
          }
          List<String> missing = new ArrayList<>();
          for (String family : documented) {
            if (!NOT_IN_A_DEMO.containsKey(family) && !scraped.contains(family)) {
              missing.add(family);
            }
          }
          assertThat(missing).as("families of docs/metrics.md without series in a demo").isEmpty();
        });
  }

  private static List<RangeSeries> overTheRun(String promql)
      throws IOException, InterruptedException {
    return api.queryRange(promql, demoStarted, Instant.now(), SCRAPE_INTERVAL);
  }

  /**
   * The largest number {@code promql} gave at any step of the run, over all its series; NaN when it
   * gave none.
   */
  private static double maxOverTheRun(String promql) throws IOException, InterruptedException {
    return overTheRun(promql).stream()
        .map(RangeSeries::max)
        .filter(OptionalDouble::isPresent)
        .mapToDouble(OptionalDouble::getAsDouble)
        .max()
        .orElse(Double.NaN);
  }

  /** The distribution's launcher, which the reactor builds before this module. */
  private static Path launcher() {
    Path dist = Path.of(System.getProperty("tinyllm.it.cli-dist", "../tinyllm-cli/target/tinyllm"));
    Path launcher = dist.resolve("bin/tinyllm");
    assertThat(launcher)
        .as("the CLI distribution (./mvnw -pl tinyllm-it -am verify builds it)")
        .isExecutable();
    return launcher;
  }

  private static Process start(Path launcher, String name, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(home.resolve(name + ".out").toFile())
            .redirectError(home.resolve(name + ".err").toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    return builder.start();
  }

  /** What a process started here printed, for a failure message; at most 4 KiB of each. */
  private static String output(String name) {
    StringBuilder text = new StringBuilder();
    for (String stream : List.of("out", "err")) {
      try {
        String printed = Files.readString(home.resolve(name + "." + stream)).strip();
        if (printed.length() > 4096) {
          printed = "..." + printed.substring(printed.length() - 4096);
        }
        text.append(name).append(" std").append(stream).append(":\n").append(printed).append('\n');
      } catch (IOException e) {
        text.append(name).append(" std").append(stream).append(": ").append(e.getMessage());
      }
    }
    return text.toString();
  }
}
