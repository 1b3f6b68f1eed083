package io.tinyllm.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every PromQL expression the project ships, keyed by where it comes from ({@code promql.md:3},
 * {@code dashboard: Error ratio}): the {@code ```promql} blocks of {@code docs/promql.md}, the
 * query column of {@code docs/metrics_README.md}'s table, and the panel targets and variable
 * queries of the Grafana dashboard, with the dashboard's variables substituted as Grafana would
 * with "All" selected.
 *
 * <pre>{@code
 * Map<String, String> queries = ShippedQueries.read(PromQlExamples.docs(), "4s");
 * }</pre>
 */
public final class ShippedQueries {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A row of a Markdown table whose second cell is one backticked query. */
  private static final Pattern TABLE_QUERY = Pattern.compile("^\\|[^|]+\\|\\s*`([^`]+)`\\s*\\|$");

  /** Grafana's {@code label_values(EXPR, LABEL)} of a query variable. */
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^label_values\\((.+),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)$");

  private ShippedQueries() {}

  /**
   * Whether {@code promql} reads the proxy's own families ({@code tinyllm_proxy_*}), which only a
   * running {@code tinyllm proxy} has: {@code ShippedQueriesIT}'s demo runs none, so these are
   * {@code ProxyFleetIT}'s to ask, of a proxy in front of a fleet.
   */
  public static boolean needsAProxy(String promql) {
    return promql.contains("tinyllm_proxy_");
  }

  /**
   * The queries of the three sources under {@code docs}; {@code rateInterval} stands for the
   * dashboard's {@code $__rate_interval}.
   */
  public static Map<String, String> read(Path docs, String rateInterval) throws IOException {
    Map<String, String> queries = new LinkedHashMap<>();
    List<String> promql = PromQlExamples.read(docs.resolve("promql.md"));
    for (int i = 0; i < promql.size(); i++) {
      queries.put("promql.md #" + (i + 1), promql.get(i));
    }
    List<String> table = tableQueries(docs.resolve("metrics_README.md"));
    for (int i = 0; i < table.size(); i++) {
      queries.put("metrics_README.md #" + (i + 1), table.get(i));
    }
    queries.putAll(dashboard(docs.resolve("grafana/tinyllm-dashboard.json"), rateInterval));
    return queries;
  }

  /** The backticked queries in the second column of a Markdown file's tables. */
  static List<String> tableQueries(Path markdown) throws IOException {
    List<String> queries = new ArrayList<>();
    for (String line : Files.readAllLines(markdown)) {
      Matcher row = TABLE_QUERY.matcher(line.strip());
      if (row.matches() && row.group(1).contains("tinyllm_")) {
        queries.add(row.group(1));
      }
    }
    if (queries.isEmpty()) {
      throw new IOException(markdown + ": no table of queries");
    }
    return queries;
  }

  /**
   * The dashboard's panel targets ({@code dashboard: TITLE #N}) and query variables ({@code
   * variable: NAME}, as {@code count by (LABEL) (EXPR)}: what {@code label_values} lists).
   */
  static Map<String, String> dashboard(Path json, String rateInterval) throws IOException {
    JsonNode root = JSON.readTree(json.toFile());
    Map<String, String> queries = new LinkedHashMap<>();
    for (JsonNode variable : root.path("templating").path("list")) {
      if (!"query".equals(variable.path("type").asText())) {
        continue;
      }
      String definition = variable.path("query").path("query").asText();
      Matcher labelValues = LABEL_VALUES.matcher(definition.strip());
      if (!labelValues.matches()) {
        throw new IOException(json + ": variable " + variable.path("name") + ": " + definition);
      }
      queries.put(
          "variable: " + variable.path("name").asText(),
          substitute(
              "count by (" + labelValues.group(2) + ") (" + labelValues.group(1) + ")",
              rateInterval));
    }
    addTargets(root.path("panels"), rateInterval, queries);
    return queries;
  }

  private static void addTargets(
      JsonNode panels, String rateInterval, Map<String, String> queries) {
    for (JsonNode panel : panels) {
      int n = 0;
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText("");
        if (!expr.isBlank()) {
          queries.put(
              "dashboard: " + panel.path("title").asText() + " #" + ++n,
              substitute(expr, rateInterval));
        }
      }
      // a row keeps its panels inside it while collapsed
      addTargets(panel.path("panels"), rateInterval, queries);
    }
  }

  /** The dashboard's variables as Grafana fills them with "All" selected (their allValue). */
  private static String substitute(String expr, String rateInterval) {
    String query =
        expr.replace("$__rate_interval", rateInterval)
            .replace("$job", ".*")
            .replace("$model", ".*")
            .replace("$graph", ".*");
    if (query.contains("$")) {
      throw new IllegalArgumentException("A dashboard variable this test does not know: " + expr);
    }
    return query;
  }
}
