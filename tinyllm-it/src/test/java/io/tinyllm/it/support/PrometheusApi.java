package io.tinyllm.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Queries against Prometheus' HTTP API: instant ({@code /api/v1/query}), over a time range ({@code
 * /api/v1/query_range}, as a dashboard panel asks) and the state of the rules ({@code
 * /api/v1/rules}).
 *
 * <pre>{@code
 * List<PrometheusApi.Series> up = new PrometheusApi(prometheus.url()).query("up");
 * // [Series[labels={__name__=up, instance=tinyllm:9478, job=tinyllm}, value=1], ...]
 * }</pre>
 */
public final class PrometheusApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String url;

  public PrometheusApi(String url) {
    this.url = url;
  }

  /** The instant vector {@code promql} evaluates to now. */
  public List<Series> query(String promql) throws IOException, InterruptedException {
    String body =
        Http.get(url + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonNode root = JSON.readTree(body);
    if (!"success".equals(root.path("status").asText())
        || !"vector".equals(root.path("data").path("resultType").asText())) {
      throw new IOException("Query '" + promql + "' did not give an instant vector: " + body);
    }
    List<Series> series = new ArrayList<>();
    for (JsonNode result : root.path("data").path("result")) {
      // "value" is [unix time, "sample value"]
      series.add(new Series(labels(result), result.path("value").path(1).asText()));
    }
    return series;
  }

  /**
   * The range vector {@code promql} evaluates to at every {@code step} from {@code start} to {@code
   * end}: one entry a series, with its values in time order as Prometheus prints them ({@code
   * "NaN"} included).
   */
  public List<RangeSeries> queryRange(String promql, Instant start, Instant end, Duration step)
      throws IOException, InterruptedException {
    String body =
        Http.get(
            url
                + "/api/v1/query_range?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&start="
                + seconds(start)
                + "&end="
                + seconds(end)
                + "&step="
                + seconds(step));
    JsonNode root = JSON.readTree(body);
    if (!"success".equals(root.path("status").asText())
        || !"matrix".equals(root.path("data").path("resultType").asText())) {
      throw new IOException("Range query '" + promql + "' did not give a matrix: " + body);
    }
    List<RangeSeries> series = new ArrayList<>();
    for (JsonNode result : root.path("data").path("result")) {
      List<String> values = new ArrayList<>();
      // each value is [unix time, "sample value"]
      result.path("values").forEach(value -> values.add(value.path(1).asText()));
      series.add(new RangeSeries(labels(result), values));
    }
    return series;
  }

  /** Every recording and alerting rule Prometheus loaded, with its health. */
  public List<Rule> rules() throws IOException, InterruptedException {
    JsonNode root = JSON.readTree(Http.get(url + "/api/v1/rules"));
    if (!"success".equals(root.path("status").asText())) {
      throw new IOException("Rules request failed: " + root);
    }
    List<Rule> rules = new ArrayList<>();
    for (JsonNode group : root.path("data").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        rules.add(
            new Rule(
                group.path("name").asText(),
                rule.path("name").asText(),
                rule.path("type").asText(),
                rule.path("health").asText(),
                rule.path("lastError").asText("")));
      }
    }
    return rules;
  }

  /** The alerts pending or firing now ({@code /api/v1/alerts}). */
  public List<Alert> alerts() throws IOException, InterruptedException {
    JsonNode root = JSON.readTree(Http.get(url + "/api/v1/alerts"));
    if (!"success".equals(root.path("status").asText())) {
      throw new IOException("Alerts request failed: " + root);
    }
    List<Alert> alerts = new ArrayList<>();
    for (JsonNode alert : root.path("data").path("alerts")) {
      Map<String, String> labels = new TreeMap<>();
      for (Map.Entry<String, JsonNode> label : alert.path("labels").properties()) {
        labels.put(label.getKey(), label.getValue().asText());
      }
      alerts.add(new Alert(labels, alert.path("state").asText()));
    }
    return alerts;
  }

  private static Map<String, String> labels(JsonNode result) {
    Map<String, String> labels = new TreeMap<>();
    for (Map.Entry<String, JsonNode> label : result.path("metric").properties()) {
      labels.put(label.getKey(), label.getValue().asText());
    }
    return labels;
  }

  private static String seconds(Instant instant) {
    return BigDecimal.valueOf(instant.toEpochMilli(), 3).toPlainString();
  }

  private static String seconds(Duration duration) {
    return BigDecimal.valueOf(duration.toMillis(), 3).toPlainString();
  }

  /** One series of a range query: its labels and its values in time order. */
  public record RangeSeries(Map<String, String> labels, List<String> values) {
    public RangeSeries {
      labels = Map.copyOf(labels);
      values = List.copyOf(values);
    }

    /** The largest value that is a number (not NaN; an infinity counts), if any. */
    public OptionalDouble max() {
      return values.stream()
          .mapToDouble(RangeSeries::parse)
          .filter(value -> !Double.isNaN(value))
          .max();
    }

    /** A value as Prometheus prints it: a decimal, {@code NaN}, {@code +Inf} or {@code -Inf}. */
    private static double parse(String value) {
      return switch (value) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        default -> Double.parseDouble(value);
      };
    }
  }

  /**
   * A rule as {@code /api/v1/rules} reports it: {@code type} is {@code recording} or {@code
   * alerting}, {@code health} is {@code ok}, {@code err} or {@code unknown} (not evaluated yet).
   */
  public record Rule(String group, String name, String type, String health, String lastError) {}

  /**
   * An active alert: its labels ({@code alertname} among them) and {@code state}, {@code pending}
   * (its {@code for} not over yet) or {@code firing}.
   */
  public record Alert(Map<String, String> labels, String state) {
    public Alert {
      labels = Map.copyOf(labels);
    }

    public String label(String name) {
      return labels.get(name);
    }
  }

  /** One series of a query result: its labels and its sample value as Prometheus prints it. */
  public record Series(Map<String, String> labels, String value) {
    public Series {
      labels = Map.copyOf(labels);
    }

    public String label(String name) {
      return labels.get(name);
    }
  }
}
