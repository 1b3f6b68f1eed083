package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.api.llm.ChatMessage;
import io.tinyllm.api.llm.ChatRequest;
import io.tinyllm.api.llm.GenerateRequest;
import io.tinyllm.api.llm.GenerationOptions;
import io.tinyllm.api.llm.LlmClient;
import io.tinyllm.api.llm.LlmResponse;
import io.tinyllm.api.llm.ToolDefinition;
import io.tinyllm.api.queue.RequestQueue;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.metrics.exporter.HttpExporterConfig;
import io.tinyllm.metrics.exporter.PushResult;
import io.tinyllm.metrics.exporter.PushgatewayConfig;
import io.tinyllm.metrics.exporter.PushgatewayMetricsExporter;
import io.tinyllm.metrics.testing.ExternalPrograms;
import io.tinyllm.metrics.testing.FreePorts;
import io.tinyllm.ollama.OllamaClient;
import io.tinyllm.ollama.sim.OllamaSimulator;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The docs cannot drift from the code: the real application runs the {@code demo} tour against the
 * simulator, and every metric name the docs mention, every family, type, label and bucket of the
 * tables in {@code docs/metrics.md}, and the 24 families kept from the Python project are checked
 * against what it exports.
 */
@Timeout(180)
class DocsConsistencyTest {
  /**
   * Families whose samples need conditions neither the tour nor the few extra steps below produce.
   * Each is still checked to be declared in the main sources, and documented like the others.
   */
  private static final Map<String, String> NOT_PRODUCED_HERE =
      Map.ofEntries(
          // registered by `tinyllm metrics --ollama URL`, which LauncherIT runs
          Map.entry("tinyllm_ollama_up", "tinyllm-cli"),
          Map.entry("tinyllm_ollama_last_probe_timestamp_seconds", "tinyllm-cli"),
          // memory cache: only beyond cache.max-entries (10000) or cache.ttl (1h)
          Map.entry("tinyllm_cache_evictions_total", "tinyllm-cache"),
          // only a failing Redis, or a stored entry that cannot be decoded
          Map.entry("tinyllm_cache_errors_total", "tinyllm-cache"),
          // only identical misses at the same moment (SingleFlightTest)
          Map.entry("tinyllm_cache_coalesced_total", "tinyllm-cache"),
          // only a metric set whose collection throws
          Map.entry("tinyllm_metrics_collection_errors_total", "tinyllm-metrics"),
          // only after a push that a running Pushgateway accepted
          Map.entry("tinyllm_pushgateway_last_success_timestamp_seconds", "tinyllm-metrics"),
          // registered by `tinyllm batch` when a batch ends
          Map.entry("tinyllm_batch_last_success_timestamp_seconds", "tinyllm-cli"),
          Map.entry("tinyllm_batch_duration_seconds", "tinyllm-cli"),
          Map.entry("tinyllm_batch_prompts_total", "tinyllm-cli"),
          // only traffic through `tinyllm proxy` (ProxyCommandTest and tinyllm-proxy's tests)
          Map.entry("tinyllm_proxy_requests_total", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_client_disconnects_total", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_upstream_failures_total", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_connections_refused_total", "tinyllm-proxy"),
          // only a started proxy, which creates its fleet (tinyllm-proxy's Fleet*Test)
          Map.entry("tinyllm_proxy_backend_requests_total", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_backend_in_flight", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_backend_errors_total", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_backend_up", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_backend_models_loaded", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_routing_decisions_total", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_backend_failovers_total", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_backend_circuit_breaker_state", "tinyllm-proxy"),
          // only a started proxy with proxy.admission.enabled=true (tinyllm-proxy's AdmissionTest)
          Map.entry("tinyllm_proxy_admission_waiting", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_admission_wait_seconds", "tinyllm-proxy"),
          Map.entry("tinyllm_proxy_admission_rejected_total", "tinyllm-proxy"));

  /**
   * Families renamed, old name to new. Only docs/metrics.md may mention an old name, on a line that
   * gives the new one; nothing may export it.
   */
  private static final Map<String, String> RENAMED =
      Map.of("tinyllm_circuit_breaker_states", "tinyllm_circuit_breaker_in_state");

  /** The Python project's families: name, type, label names, bucket boundaries (SEED-METRICS). */
  private record Seed(String name, String type, List<String> labels, List<Double> buckets) {}

  private static final List<Seed> SEED_FAMILIES =
      List.of(
          seed("tinyllm_requests_total", "counter", "model,graph,request_type"),
          seed(
              "tinyllm_request_latency_seconds",
              "histogram",
              "model,graph",
              .005,
              .01,
              .025,
              .05,
              .1,
              .25,
              .5,
              1,
              2.5,
              5,
              10,
              30,
              60),
          seed("tinyllm_active_requests", "gauge", "model,graph"),
          seed("tinyllm_tokens_input_total", "counter", "model,graph"),
          seed("tinyllm_tokens_output_total", "counter", "model,graph"),
          seed(
              "tinyllm_model_load_duration_seconds",
              "histogram",
              "model",
              .1,
              .5,
              1,
              2,
              5,
              10,
              30,
              60),
          seed("tinyllm_errors_total", "counter", "error_type,model,graph"),
          seed("tinyllm_circuit_breaker_state", "gauge", "model"),
          seed("tinyllm_circuit_breaker_failures_total", "counter", "model"),
          seed(
              "tinyllm_rate_limit_wait_seconds",
              "histogram",
              "model",
              .001,
              .005,
              .01,
              .05,
              .1,
              .5,
              1,
              5),
          seed("tinyllm_node_executions_total", "counter", "node,graph"),
          seed(
              "tinyllm_node_execution_duration_seconds",
              "histogram",
              "node,graph",
              .01,
              .05,
              .1,
              .25,
              .5,
              1,
              2.5,
              5,
              10),
          seed("tinyllm_node_errors_total", "counter", "node,graph,error_type"),
          seed("tinyllm_graph_executions_total", "counter", "graph"),
          seed(
              "tinyllm_graph_execution_duration_seconds",
              "histogram",
              "graph",
              .1,
              .5,
              1,
              2.5,
              5,
              10,
              30,
              60,
              120),
          seed("tinyllm_queue_size", "gauge", "priority"),
          seed(
              "tinyllm_queue_wait_time_seconds",
              "histogram",
              "priority",
              .001,
              .01,
              .05,
              .1,
              .5,
              1,
              5,
              10,
              30,
              60),
          seed("tinyllm_queue_requests_total", "counter", "priority"),
          seed("tinyllm_queue_requests_rejected_total", "counter", ""),
          seed("tinyllm_queue_active_workers", "gauge", ""),
          seed("tinyllm_cache_hits_total", "counter", "cache_type"),
          seed("tinyllm_cache_misses_total", "counter", "cache_type"),
          seed("tinyllm_memory_operations_total", "counter", "operation_type"),
          seed("tinyllm_system_info", "info", "version,app"));

  private static OllamaSimulator simulator;
  private static TinyLlm app;
  private static Exported exported;
  private static String scrape;

  @BeforeAll
  static void runTheDemoTour() throws Exception {
    simulator = OllamaSimulator.start(DemoCommand.simulatorConfig(0.05, 42));
    app = TinyLlm.start(settings(simulator));
    try (DemoWorkload workload = DemoWorkload.create(app, simulator, 42, 8)) {
      // returns once each step's calls have ended and been counted
      workload.tour();
      assertThat(workload.submitted.get())
          .as("the tour's calls all finished")
          .isEqualTo(workload.succeeded.get() + workload.failed.get() + workload.rejected.get());
      assertThat(app.get(RequestQueue.class).size()).as("requests still queued").isZero();
    }
    Exported duringPull = pullAModel();
    openACircuitBreaker();
    foldAnUnboundedModelName();
    callATool();
    PushResult push =
        ((PushgatewayMetricsExporter) app.metrics().start(PushgatewayMetricsExporter.NAME)).push();
    assertThat(push.success()).as("the push to a closed port fails").isFalse();
    exported = Exported.of(app).merge(duringPull);
    scrape = app.metrics().scrapeText();
  }

  private static Settings settings(OllamaSimulator simulator) {
    // DemoCommand's settings, on a free port, plus a Pushgateway that is not there; the loads
    // of a simulator 20 times faster than life are below the default 100 ms threshold
    return DemoCommand.settings(
            simulator, Map.of("metrics.exporters", "http", HttpExporterConfig.PORT, "0"))
        .withAll(
            Map.of(
                "ollama.metrics.model-load-threshold",
                "5ms",
                PushgatewayConfig.ADDRESS,
                "127.0.0.1:" + FreePorts.find(),
                PushgatewayConfig.JOB,
                "docs-test",
                PushgatewayConfig.TIMEOUT,
                "2s",
                PushgatewayConfig.PUSH_ON_CLOSE,
                "false"));
  }

  /** The pull gauges exist only while a pull runs: scrape from the progress callback. */
  private static Exported pullAModel() {
    List<Exported> seen = new ArrayList<>();
    app.get(OllamaClient.class)
        .pull(
            "llama3.2:1b",
            progress -> {
              if (seen.isEmpty()
                  && app.metrics().scrapeText().contains("tinyllm_ollama_pull_completed_bytes{")) {
                seen.add(Exported.of(app));
              }
            });
    assertThat(seen).as("a scrape while the pull ran showed its progress").hasSize(1);
    return seen.get(0);
  }

  /** Five failed attempts in a row open a model's breaker: transitions get a sample. */
  private static void openACircuitBreaker() {
    LlmClient client = app.get(LlmClient.class);
    simulator.faults().failNext(20, 500);
    try {
      for (int i = 0;
          i < 4
              && app.metrics()
                  .scrapeText()
                  .lines()
                  .noneMatch(
                      l ->
                          l.startsWith("tinyllm_circuit_breaker_transitions_total{")
                              && l.contains("model=\"qwen2.5:1.5b\"")
                              && !l.endsWith(" 0.0"));
          i++) {
        try {
          client.generate(request("qwen2.5:1.5b", "Open the breaker, call " + i));
        } catch (TinyLlmException expected) {
          // every attempt fails
        }
      }
    } finally {
      simulator.faults().clear();
    }
  }

  /** A model name longer than metrics.labels.max-length becomes "other", and is counted. */
  private static void foldAnUnboundedModelName() {
    try {
      app.get(LlmClient.class).generate(request("m".repeat(200), "Hello"));
    } catch (TinyLlmException expected) {
      // no such model
    }
  }

  /** The tool-call counter has a series only once a model called a tool. */
  private static void callATool() {
    simulator.putCannedAnswer(
        "Weather in Tokyo?",
        "tool_calls:[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}]");
    LlmResponse answer =
        app.get(LlmClient.class)
            .chat(
                ChatRequest.builder("qwen2.5:0.5b", List.of(ChatMessage.user("Weather in Tokyo?")))
                    .tools(
                        List.of(
                            ToolDefinition.function("get_weather", null, "{\"type\":\"object\"}")))
                    .build());
    assertThat(answer.toolCalls()).hasSize(1);
  }

  private static GenerateRequest request(String model, String prompt) {
    return GenerateRequest.builder(model, prompt)
        .options(GenerationOptions.builder().temperature(0.0).numPredict(8).build())
        .build();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (simulator != null) {
      simulator.close();
    }
  }

  @Test
  void theDemoToursFailingCallOpensItsModelsBreaker() {
    // three failed attempts of one call reach the demo's failure threshold
    assertThat(scrape)
        .contains(
            "tinyllm_circuit_breaker_transitions_total{from_state=\"closed\",model=\"qwen2.5:3b\","
                + "to_state=\"open\"} 1.0");
  }

  @Test
  void everyMetricNameTheDocsMentionIsExported() {
    String sources = DocsFiles.mainSources();
    Map<String, List<String>> missing = new TreeMap<>();
    for (Path file : DocsFiles.checkedFiles()) {
      for (DocsFiles.MentionedName mention : DocsFiles.metricNames(DocsFiles.read(file))) {
        String name = mention.name();
        if (RENAMED.containsKey(name) && file.equals(DocsFiles.DOCS.resolve("metrics.md"))) {
          continue; // checked by renamedFamiliesAreGoneAndTheMetricsReferenceSaysSo
        }
        boolean found =
            mention.prefix()
                ? exported.names.stream().anyMatch(n -> n.startsWith(name))
                    || NOT_PRODUCED_HERE.keySet().stream().anyMatch(n -> n.startsWith(name))
                : exported.names.contains(name)
                    || exported.names.contains(name + "_total")
                    || exported.names.contains(name + "_info")
                    || notProducedHere(name, sources);
        if (!found) {
          missing
              .computeIfAbsent(name, k -> new ArrayList<>())
              .add(DocsFiles.ROOT.relativize(file).toString());
        }
      }
    }
    assertThat(missing).as("metric names the docs mention but nothing exports").isEmpty();
  }

  @Test
  void renamedFamiliesAreGoneAndTheMetricsReferenceSaysSo() {
    String reference = DocsFiles.read(DocsFiles.DOCS.resolve("metrics.md"));
    RENAMED.forEach(
        (old, now) -> {
          assertThat(exported.names).as("exported names").noneMatch(n -> n.startsWith(old));
          assertThat(exported.families).as("exported families").containsKey(now);
          List<String> mentions = reference.lines().filter(l -> mentions(l, old)).toList();
          assertThat(mentions).as("docs/metrics.md says %s was renamed", old).isNotEmpty();
          assertThat(mentions)
              .as("lines of docs/metrics.md naming %s also name %s", old, now)
              .allMatch(l -> mentions(l, now));
        });
  }

  private static boolean mentions(String text, String metricName) {
    return DocsFiles.metricNames(text).contains(new DocsFiles.MentionedName(metricName, false));
  }

  /** An allow-listed family (or one of its series), which must then be in the main sources. */
  private static boolean notProducedHere(String name, String sources) {
    String family = name.replaceFirst("_(bucket|count|sum)$", "");
    if (!NOT_PRODUCED_HERE.containsKey(name) && !NOT_PRODUCED_HERE.containsKey(family)) {
      return false;
    }
    String declared = NOT_PRODUCED_HERE.containsKey(name) ? name : family;
    assertThat(sources)
        .as("%s is allow-listed as not produced by the tour, so its code must declare it", declared)
        .contains("\"" + declared + "\"");
    return true;
  }

  @Test
  void everyExportedFamilyIsInTheMetricsReference() {
    Map<String, DocsFiles.FamilyRow> documented = metricsReference();
    assertThat(documented.keySet())
        .as("families exported by the tour but missing from docs/metrics.md")
        .containsAll(
            exported.families.keySet().stream().filter(n -> n.startsWith("tinyllm_")).toList());
    assertThat(DocsFiles.read(DocsFiles.DOCS.resolve("metrics.md")))
        .as("the JVM families are summarised in one row")
        .contains("`jvm_*`")
        .contains("`process_*`");
  }

  @Test
  void documentedTypesLabelsAndBucketsAreExported() {
    List<String> problems = new ArrayList<>();
    for (DocsFiles.FamilyRow row : metricsReference().values()) {
      Family family = exported.families.get(row.family());
      if (family == null) {
        if (!NOT_PRODUCED_HERE.containsKey(row.family())) {
          problems.add(row.family() + ": documented but not exported");
        }
        continue;
      }
      if (!row.type().equals(family.type)) {
        problems.add(row.family() + ": documented as " + row.type() + ", is " + family.type);
      }
      if (!row.labels().equals(family.labels)) {
        problems.add(
            row.family() + ": documented labels " + row.labels() + ", has " + family.labels);
      }
      if (family.type.equals("histogram") && !row.buckets().equals(family.buckets)) {
        problems.add(
            row.family() + ": documented buckets " + row.buckets() + ", has " + family.buckets);
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theSeedFamiliesKeepTheirNamesLabelsAndBuckets() {
    Map<String, DocsFiles.FamilyRow> documented = metricsReference();
    List<String> problems = new ArrayList<>();
    for (Seed seed : SEED_FAMILIES) {
      if (!documented.containsKey(seed.name())) {
        problems.add(seed.name() + ": not in docs/metrics.md");
      }
      Family family = exported.families.get(seed.name());
      if (family == null) {
        problems.add(seed.name() + ": not exported");
        continue;
      }
      if (!family.type.equals(seed.type())) {
        problems.add(seed.name() + ": type " + family.type + ", the seed's is " + seed.type());
      }
      Set<String> labels = new TreeSet<>(family.labels);
      if (seed.name().equals("tinyllm_system_info")) {
        labels.retainAll(seed.labels()); // may carry more facts than the seed's two
      }
      if (!labels.equals(new TreeSet<>(seed.labels()))) {
        problems.add(
            seed.name() + ": labels " + family.labels + ", the seed's are " + seed.labels());
      }
      if (!seed.buckets().isEmpty()) {
        // added boundaries only above the seed's top or below its lowest (SEED-METRICS.md)
        double lowest = seed.buckets().get(0);
        double top = seed.buckets().get(seed.buckets().size() - 1);
        List<Double> withinSeed =
            family.buckets.stream().filter(b -> b >= lowest && b <= top).toList();
        if (!withinSeed.equals(seed.buckets())) {
          problems.add(
              seed.name() + ": buckets " + family.buckets + " change the seed's " + seed.buckets());
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  private static Map<String, DocsFiles.FamilyRow> metricsReference() {
    Map<String, DocsFiles.FamilyRow> rows =
        DocsFiles.familyTables(DocsFiles.read(DocsFiles.DOCS.resolve("metrics.md")));
    assertThat(rows).as("family tables in docs/metrics.md").isNotEmpty();
    return rows;
  }

  private static Seed seed(String name, String type, String labels, double... buckets) {
    List<Double> bounds = new ArrayList<>();
    for (double b : buckets) {
      bounds.add(b);
    }
    return new Seed(
        name, type, labels.isEmpty() ? List.of() : List.of(labels.split(",")), List.copyOf(bounds));
  }

  @Test
  void theDemoScrapePassesPromtoolsMetricsLint() throws Exception {
    Path promtool = ExternalPrograms.require("promtool", "prometheus");
    Process process =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(scrape.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).isEmpty();
  }

  /** One exported family: its type, the label names of its samples and its bucket bounds. */
  private static final class Family {
    String type;
    final Set<String> labels = new TreeSet<>();
    final Set<Double> bounds = new TreeSet<>();
    List<Double> buckets = List.of();
  }

  /** What the registry exported: families by exposed name, and every name in the text. */
  private static final class Exported {
    private static final Pattern SAMPLE =
        Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? ");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    final Map<String, Family> families = new LinkedHashMap<>();
    final Set<String> names = new TreeSet<>();

    static Exported of(TinyLlm app) {
      Exported exported = new Exported();
      exported.readText(app.metrics().scrapeText());
      exported.readTypes(app);
      return exported;
    }

    private void readText(String text) {
      Family current = null;
      for (String line : text.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          String name = line.split(" ")[2];
          names.add(name);
          current = family(name);
          continue;
        }
        Matcher sample = SAMPLE.matcher(line);
        if (line.startsWith("#") || !sample.find() || current == null) {
          continue;
        }
        names.add(sample.group(1));
        if (sample.group(2) == null) {
          continue;
        }
        Matcher label = LABEL.matcher(sample.group(2));
        while (label.find()) {
          if (label.group(1).equals("le")) {
            int start = label.end();
            String value = sample.group(2).substring(start, sample.group(2).indexOf('"', start));
            if (!value.equals("+Inf")) {
              current.bounds.add(Double.parseDouble(value));
            }
          } else {
            current.labels.add(label.group(1));
          }
        }
        current.buckets = List.copyOf(current.bounds);
      }
    }

    /** Types from the snapshots: the text format shows info and stateset as gauges. */
    private void readTypes(TinyLlm app) {
      for (MetricSnapshot snapshot : app.metrics().scrape()) {
        String base = snapshot.getMetadata().getPrometheusName();
        String type;
        String exposed = base;
        if (snapshot instanceof CounterSnapshot) {
          type = "counter";
          exposed = base + "_total";
        } else if (snapshot instanceof InfoSnapshot) {
          type = "info";
          exposed = base + "_info";
        } else if (snapshot instanceof StateSetSnapshot) {
          type = "stateset";
        } else if (snapshot instanceof HistogramSnapshot) {
          type = "histogram";
        } else if (snapshot instanceof GaugeSnapshot) {
          type = "gauge";
        } else if (snapshot instanceof SummarySnapshot) {
          type = "summary";
        } else {
          type = "unknown";
        }
        if (families.containsKey(exposed)) {
          families.get(exposed).type = type;
        }
      }
    }

    private Family family(String name) {
      return families.computeIfAbsent(name, k -> new Family());
    }

    /** Adds the families of {@code other} that this one lacks. */
    Exported merge(Exported other) {
      other.families.forEach(families::putIfAbsent);
      names.addAll(other.names);
      return this;
    }
  }

  @Test
  void theTourExportsTheTinyLlmFamiliesItShould() {
    // guards the test itself: a broken tour would make every check above pass vacuously
    assertThat(exported.families.keySet())
        .contains(
            "tinyllm_requests_total",
            "tinyllm_time_to_first_token_seconds",
            "tinyllm_circuit_breaker_transitions_total",
            "tinyllm_label_values_folded_total",
            "tinyllm_ollama_pull_completed_bytes",
            "tinyllm_pushgateway_pushes_total");
  }
}
