package io.tinyllm.cli;

import io.tinyllm.api.config.Settings;
import io.tinyllm.api.error.TinyLlmException;
import io.tinyllm.metrics.TinyLlm;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tinyllm stats}: a readable summary of a Prometheus scrape — requests, latency percentiles,
 * tokens per second and error rate per model, graphs, cache hit rate, queue state.
 */
@Command(
    name = "stats",
    sortOptions = false,
    description = {
      "Summarize a /metrics scrape: requests, p50/p95 latency, tokens/s and error rate per model;"
          + " graph runs; cache hit rate; queue state.",
      "Percentiles are interpolated within histogram buckets as PromQL's histogram_quantile"
          + " does; figures are totals since the scraped process started.",
      "Exit status: 0 shown, 1 the endpoint cannot be scraped, 2 usage error."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  tinyllm stats --url 127.0.0.1:9478",
      "  tinyllm stats --url http://gpu-box:9478/metrics --json | jq .models"
    })
final class StatsCommand implements Callable<Integer> {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "A running endpoint's /metrics, e.g. http://127.0.0.1:9478/metrics (default: this"
              + " process's own registry, which has served nothing).")
  String url;

  @Option(names = "--json", description = "Print a JSON object.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String source;
    String text;
    if (url == null) {
      source = "this process (no --url)";
      try (TinyLlm app = TinyLlm.start(Settings.empty())) {
        text = app.metrics().scrapeText();
      }
    } else {
      URI uri = metricsUri(url);
      source = uri.toString();
      text = scrape(uri);
    }
    PrometheusText scrape;
    try {
      scrape = PrometheusText.parse(text);
    } catch (IllegalArgumentException e) {
      throw new TinyLlmException(
          source + " did not serve the Prometheus text format: " + e.getMessage());
    }
    Map<String, Object> summary = summarize(source, scrape);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(CliJson.pretty(summary));
    } else {
      print(summary, out);
      if (url == null) {
        out.println();
        out.println(
            "Note: this is the stats command's own registry, which has served no requests. Pass"
                + " --url http://HOST:PORT/metrics of a running tinyllm (tinyllm metrics, or run/batch"
                + " with --metrics-port) to see its traffic.");
      }
    }
    out.flush();
    return ExitCodes.OK;
  }

  static URI metricsUri(String url) {
    String text = url.contains("://") ? url : "http://" + url;
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("Invalid value '" + url + "' for --url: " + e.getMessage());
    }
    if (uri.getHost() == null) {
      throw new UsageException(
          "Invalid value '" + url + "' for --url: expected http://host:port/metrics");
    }
    String path = uri.getPath();
    return path == null || path.isEmpty() || path.equals("/") ? uri.resolve("/metrics") : uri;
  }

  static String scrape(URI uri) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri)
                  .timeout(TIMEOUT)
                  .header("Accept", "text/plain; version=0.0.4")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new TinyLlmException("Scraping " + uri + " failed: HTTP " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new TinyLlmException(
          "Cannot scrape "
              + uri
              + " ("
              + IoErrors.describe(e)
              + "): is a tinyllm process serving metrics there (tinyllm metrics, or run/batch"
              + " with --metrics-port)?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TinyLlmException("Interrupted while scraping " + uri, e);
    }
  }

  /** The figures {@code stats} shows, as nested maps (also its JSON). */
  static Map<String, Object> summarize(String source, PrometheusText scrape) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("source", source);
    Map<String, Double> requests = scrape.sumBy("tinyllm_requests_total", "model");
    Map<String, Double> errors = scrape.sumBy("tinyllm_errors_total", "model");
    Map<String, Double> input = scrape.sumBy("tinyllm_tokens_input_total", "model");
    Map<String, Double> output = scrape.sumBy("tinyllm_tokens_output_total", "model");
    Map<String, Double> evalSeconds =
        scrape.sumBy("tinyllm_ollama_eval_duration_seconds_sum", "model");
    Map<String, Object> models = new LinkedHashMap<>();
    for (String model : new TreeSet<>(requests.keySet())) {
      double n = requests.get(model);
      double failed = errors.getOrDefault(model, 0.0);
      NavigableMap<Double, Double> latency =
          scrape.buckets("tinyllm_request_latency_seconds", s -> s.label("model").equals(model));
      double eval = evalSeconds.getOrDefault(model, 0.0);
      double out = output.getOrDefault(model, 0.0);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("requests", (long) n);
      m.put("errors", (long) failed);
      m.put("error_rate", n > 0 ? failed / n : null);
      m.put("latency_p50_seconds", finite(PrometheusText.quantile(0.5, latency)));
      m.put("latency_p95_seconds", finite(PrometheusText.quantile(0.95, latency)));
      m.put("tokens_per_second", eval > 0 ? out / eval : null);
      m.put("prompt_tokens", (long) (double) input.getOrDefault(model, 0.0));
      m.put("output_tokens", (long) out);
      models.put(model, m);
    }
    summary.put("models", models);

    Map<String, Double> runs = scrape.sumBy("tinyllm_graph_executions_total", "graph");
    Map<String, Double> graphFailures =
        scrape.sumBy(
            "tinyllm_graph_outcomes_total", "graph", s -> !s.label("outcome").equals("success"));
    Map<String, Object> graphs = new LinkedHashMap<>();
    for (String graph : runs.keySet()) {
      NavigableMap<Double, Double> duration =
          scrape.buckets(
              "tinyllm_graph_execution_duration_seconds", s -> s.label("graph").equals(graph));
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("runs", (long) (double) runs.get(graph));
      g.put("failed", (long) (double) graphFailures.getOrDefault(graph, 0.0));
      g.put("duration_p50_seconds", finite(PrometheusText.quantile(0.5, duration)));
      g.put("duration_p95_seconds", finite(PrometheusText.quantile(0.95, duration)));
      graphs.put(graph, g);
    }
    summary.put("graphs", graphs);

    Map<String, Double> hits = scrape.sumBy("tinyllm_cache_hits_total", "cache_type");
    Map<String, Double> misses = scrape.sumBy("tinyllm_cache_misses_total", "cache_type");
    Map<String, Object> cache = new LinkedHashMap<>();
    TreeSet<String> types = new TreeSet<>(hits.keySet());
    types.addAll(misses.keySet());
    for (String type : types) {
      double h = hits.getOrDefault(type, 0.0);
      double m = misses.getOrDefault(type, 0.0);
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("hits", (long) h);
      c.put("misses", (long) m);
      c.put("hit_rate", h + m > 0 ? h / (h + m) : null);
      cache.put(type, c);
    }
    summary.put("cache", cache);

    Map<String, Object> queue = new LinkedHashMap<>();
    queue.put(
        "waiting", whole(scrape.sum("tinyllm_queue_size", s -> s.label("priority").equals("all"))));
    queue.put("active_workers", whole(scrape.sum("tinyllm_queue_active_workers", s -> true)));
    queue.put("submitted", whole(scrape.sum("tinyllm_queue_requests_total", s -> true)));
    queue.put("rejected", whole(scrape.sum("tinyllm_queue_requests_rejected_total", s -> true)));
    summary.put("queue", queue);
    return summary;
  }

  private static Double finite(double value) {
    return Double.isNaN(value) || Double.isInfinite(value) ? null : value;
  }

  private static Long whole(double value) {
    return Double.isNaN(value) ? null : (long) value;
  }

  @SuppressWarnings("unchecked")
  private static void print(Map<String, Object> summary, PrintWriter out) {
    out.println("Source: " + summary.get("source"));
    out.println();
    Map<String, Object> models = (Map<String, Object>) summary.get("models");
    if (models.isEmpty()) {
      out.println("Models: no requests recorded");
    } else {
      out.println("Models");
      Table table =
          new Table(
              "MODEL", "REQUESTS", "ERRORS", "ERROR RATE", "P50", "P95", "TOKENS/S", "IN", "OUT");
      models.forEach(
          (name, value) -> {
            Map<String, Object> m = (Map<String, Object>) value;
            table.row(
                name,
                m.get("requests"),
                m.get("errors"),
                percent((Double) m.get("error_rate")),
                secondsOrDash((Double) m.get("latency_p50_seconds")),
                secondsOrDash((Double) m.get("latency_p95_seconds")),
                m.get("tokens_per_second") == null
                    ? "-"
                    : String.format(Locale.ROOT, "%.1f", (Double) m.get("tokens_per_second")),
                m.get("prompt_tokens"),
                m.get("output_tokens"));
          });
      table.print(out);
    }
    out.println();
    Map<String, Object> graphs = (Map<String, Object>) summary.get("graphs");
    if (graphs.isEmpty()) {
      out.println("Graphs: no runs recorded");
    } else {
      out.println("Graphs");
      Table table = new Table("GRAPH", "RUNS", "FAILED", "P50", "P95");
      graphs.forEach(
          (name, value) -> {
            Map<String, Object> g = (Map<String, Object>) value;
            table.row(
                name,
                g.get("runs"),
                g.get("failed"),
                secondsOrDash((Double) g.get("duration_p50_seconds")),
                secondsOrDash((Double) g.get("duration_p95_seconds")));
          });
      table.print(out);
    }
    out.println();
    Map<String, Object> cache = (Map<String, Object>) summary.get("cache");
    if (cache.isEmpty()) {
      out.println("Cache: no lookups recorded");
    } else {
      out.println("Cache");
      Table table = new Table("TYPE", "HITS", "MISSES", "HIT RATE");
      cache.forEach(
          (name, value) -> {
            Map<String, Object> c = (Map<String, Object>) value;
            table.row(name, c.get("hits"), c.get("misses"), percent((Double) c.get("hit_rate")));
          });
      table.print(out);
    }
    out.println();
    Map<String, Object> queue = (Map<String, Object>) summary.get("queue");
    if (queue.values().stream().allMatch(v -> v == null)) {
      out.println("Queue: not present");
    } else {
      out.println(
          "Queue: "
              + queue.get("waiting")
              + " waiting, "
              + queue.get("active_workers")
              + " active workers, "
              + queue.get("submitted")
              + " submitted, "
              + queue.get("rejected")
              + " rejected");
    }
  }

  private static String percent(Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.1f%%", value * 100);
  }

  private static String secondsOrDash(Double value) {
    return value == null ? "-" : Table.seconds(value);
  }
}
