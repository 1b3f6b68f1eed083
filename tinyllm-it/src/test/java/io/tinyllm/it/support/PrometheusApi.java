package io.tinyllm.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Instant queries against Prometheus' HTTP API ({@code /api/v1/query}).
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
      Map<String, String> labels = new TreeMap<>();
      for (Map.Entry<String, JsonNode> label : result.path("metric").properties()) {
        labels.put(label.getKey(), label.getValue().asText());
      }
      // "value" is [unix time, "sample value"]
      series.add(new Series(labels, result.path("value").path(1).asText()));
    }
    return series;
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
