package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tinyllm.metrics.testing.ExternalPrograms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The Prometheus, Grafana and deployment files of {@code docs/} are valid and agree with each
 * other: promtool checks and unit-tests the rules and checks the scrape configuration, every PromQL
 * query of the docs parses, the dashboard is provisioning-ready, every alert's runbook exists, and
 * the Kubernetes and Compose files use the checked files rather than copies.
 *
 * <p>promtool comes from Debian's {@code prometheus} package; without it the promtool tests are
 * skipped locally and fail under {@code -Dtinyllm.require-external=true}.
 */
class DocsRulesTest {
  private static final Path PROMETHEUS = DocsFiles.DOCS.resolve("prometheus");
  private static final Path DASHBOARD = DocsFiles.DOCS.resolve("grafana/tinyllm-dashboard.json");
  private static final String DASHBOARD_UID = "tinyllm-overview";

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    promtool("check", "rules", "rules.yml");
  }

  @Test
  void theRulesPassTheirUnitTests() throws Exception {
    promtool("test", "rules", "rules_test.yml");
  }

  @Test
  void promtoolAcceptsTheScrapeConfiguration() throws Exception {
    promtool("check", "config", "prometheus.yml");
  }

  @Test
  void everyQueryOfTheDocsParses(@TempDir Path dir) throws Exception {
    List<String> queries = new ArrayList<>();
    String promql = DocsFiles.read(DocsFiles.DOCS.resolve("promql.md"));
    queries.addAll(DocsFiles.promqlBlocks(promql));
    queries.addAll(
        DocsFiles.promqlBlocks(DocsFiles.read(DocsFiles.DOCS.resolve("troubleshooting.md"))));
    for (JsonNode target : dashboard().findValues("targets")) {
      target.forEach(t -> queries.add(t.get("expr").asText()));
    }
    assertThat(DocsFiles.promqlBlocks(promql))
        .as("docs/promql.md: one query per block, no comments")
        .hasSizeGreaterThan(30)
        .allSatisfy(q -> assertThat(q).doesNotContain("\n#").doesNotStartWith("#"));
    // the queries as recording rules: promtool parses every expression of a rules file
    StringBuilder rules = new StringBuilder("groups:\n  - name: docs-queries\n    rules:\n");
    for (int i = 0; i < queries.size(); i++) {
      String query = queries.get(i).replace("$__rate_interval", "5m");
      query = query.replace("$job", ".*").replace("$model", ".*");
      query = query.replace("$graph", ".*");
      rules
          .append("      - record: docs:query")
          .append(i)
          .append("\n        expr: ")
          .append(new ObjectMapper().writeValueAsString(query))
          .append('\n');
    }
    Path file = dir.resolve("queries.yml");
    Files.writeString(file, rules, StandardCharsets.UTF_8);
    promtool(dir, "check", "rules", file.toString());
  }

  @Test
  void theDashboardIsReadyForProvisioning() throws IOException {
    JsonNode dashboard = dashboard();
    assertThat(dashboard.path("uid").asText()).isEqualTo(DASHBOARD_UID);
    assertThat(dashboard.has("id")).as("no instance-specific id").isFalse();
    assertThat(dashboard.has("__inputs")).as("no import-only inputs").isFalse();
    Map<String, String> variables = new java.util.TreeMap<>();
    dashboard
        .path("templating")
        .path("list")
        .forEach(v -> variables.put(v.path("name").asText(), v.path("type").asText()));
    assertThat(variables)
        .containsEntry("datasource", "datasource")
        .containsEntry("job", "query")
        .containsEntry("model", "query")
        .containsEntry("graph", "query");
    List<String> wrongSource = new ArrayList<>();
    for (JsonNode source : dashboard.findValues("datasource")) {
      String uid = source.path("uid").asText();
      if (!source.path("type").asText().equals("grafana") && !uid.equals("${datasource}")) {
        wrongSource.add(source.toString());
      }
    }
    assertThat(wrongSource).as("every query uses the ${datasource} variable").isEmpty();
    Set<String> titles = new LinkedHashSet<>();
    dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
    assertThat(titles)
        .contains(
            "Requests",
            "Latency",
            "Streaming",
            "Tokens",
            "Errors",
            "Circuit breakers",
            "Cache",
            "Queue",
            "Graphs and nodes",
            "Ollama inventory",
            "Batch jobs (Pushgateway)");
  }

  @Test
  void everyAlertHasARunbookThatExists() {
    Set<String> anchors = anchors(DocsFiles.read(DocsFiles.DOCS.resolve("troubleshooting.md")));
    List<String> problems = new ArrayList<>();
    for (Map<String, Object> rule : rules(groups(PROMETHEUS.resolve("rules.yml")))) {
      if (!rule.containsKey("alert")) {
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> annotations =
          (Map<String, Object>) rule.getOrDefault("annotations", Map.of());
      Object runbook = annotations.get("runbook");
      String prefix = "docs/troubleshooting.md#";
      if (!(runbook instanceof String text) || !text.startsWith(prefix)) {
        problems.add(rule.get("alert") + ": no runbook in docs/troubleshooting.md");
      } else if (!anchors.contains(text.substring(prefix.length()))) {
        problems.add(rule.get("alert") + ": no section for " + text);
      }
      if (!annotations.containsKey("summary") || !annotations.containsKey("description")) {
        problems.add(rule.get("alert") + ": needs a summary and a description");
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void thePrometheusRuleForKubernetesHasTheSameGroups() {
    Map<String, Object> resource =
        load(DocsFiles.DOCS.resolve("deploy/kubernetes/prometheusrule.yaml"));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) resource.get("spec");
    assertThat(resource.get("kind")).isEqualTo("PrometheusRule");
    assertThat(spec.get("groups"))
        .as("deploy/kubernetes/prometheusrule.yaml carries the groups of prometheus/rules.yml")
        .isEqualTo(groups(PROMETHEUS.resolve("rules.yml")));
  }

  @Test
  void composeMountsTheCheckedFiles() {
    Path compose = DocsFiles.DOCS.resolve("deploy/compose.yaml");
    Map<String, Object> services = section(load(compose), "services");
    List<String> missing = new ArrayList<>();
    Set<String> mounted = new LinkedHashSet<>();
    services.forEach(
        (name, service) -> {
          @SuppressWarnings("unchecked")
          List<Object> volumes =
              (List<Object>) ((Map<String, Object>) service).getOrDefault("volumes", List.of());
          for (Object volume : volumes) {
            String source = volume.toString().split(":")[0];
            if (source.startsWith(".")) {
              Path path = compose.getParent().resolve(source).normalize();
              mounted.add(DocsFiles.ROOT.relativize(path).toString());
              if (!Files.exists(path)) {
                missing.add(name + ": " + source);
              }
            }
          }
        });
    assertThat(missing).as("bind mounts of compose.yaml that do not exist").isEmpty();
    assertThat(mounted).contains("docs/prometheus", "docs/grafana");
    assertThat(services).containsKeys("ollama", "tinyllm", "prometheus", "pushgateway", "grafana");
    String prometheusYml = DocsFiles.read(PROMETHEUS.resolve("prometheus.yml"));
    assertThat(prometheusYml).contains("honor_labels: true");
  }

  @Test
  void theKubernetesManifestsParse() throws IOException {
    List<String> kinds = new ArrayList<>();
    // proxy/ holds the proxy's manifests, applied on their own
    try (var files = Files.walk(DocsFiles.DOCS.resolve("deploy/kubernetes"), 2)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        for (Object document : yaml().loadAll(DocsFiles.read(file))) {
          if (document instanceof Map<?, ?> resource) {
            kinds.add(String.valueOf(resource.get("kind")));
          }
        }
      }
    }
    assertThat(kinds)
        .contains(
            "Deployment",
            "Service",
            "ServiceMonitor",
            "PodMonitor",
            "PrometheusRule",
            "StatefulSet",
            "PersistentVolumeClaim");
  }

  private static JsonNode dashboard() throws IOException {
    return new ObjectMapper().readTree(DASHBOARD.toFile());
  }

  /** GitHub's anchors of the Markdown headings of {@code markdown}. */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new LinkedHashSet<>();
    for (String line : markdown.split("\n")) {
      if (line.startsWith("#")) {
        String title = line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT);
        anchors.add(title.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
      }
    }
    return anchors;
  }

  private static Object groups(Path rulesFile) {
    return load(rulesFile).get("groups");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rules(Object groups) {
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Object group : (List<Object>) groups) {
      rules.addAll((List<Map<String, Object>>) ((Map<String, Object>) group).get("rules"));
    }
    return rules;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> document, String key) {
    return (Map<String, Object>) document.get(key);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> load(Path file) {
    return (Map<String, Object>) yaml().load(DocsFiles.read(file));
  }

  private static Yaml yaml() {
    return new Yaml(new LoaderOptions());
  }

  private static void promtool(String... args) throws Exception {
    promtool(PROMETHEUS, args);
  }

  private static void promtool(Path workDir, String... args) throws Exception {
    Path promtool = ExternalPrograms.require("promtool", "prometheus");
    List<String> command = new ArrayList<>();
    command.add(promtool.toString());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    String output;
    try (var in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
  }
}
